import { afterAll, beforeAll, describe } from '@jest/globals';
import { sharedCluster } from './support/cluster-fixture.js';
import { describeWithMesos } from './support/mesos-gate.js';
import {
  type MesosUnderTest,
  realMesos,
  simulatedMesos,
} from './support/mesos-under-test.js';
import { registerDriverScenarios } from './scenarios/driver-scenarios.js';
import { registerKillScenarios } from './scenarios/kill-scenarios.js';
import { registerSubscribeScenarios } from './scenarios/subscribe-scenarios.js';
import { registerTaskEnvironmentScenarios } from './scenarios/task-environment-scenarios.js';

/**
 * The scheduler driver in this process, on a real Mesos 1.12 master and agent (one cluster for
 * every scenario: each registers a framework of its own) and on the simulator: same scenarios,
 * same expected observations.
 */
describeWithMesos('the scheduler driver in-process', (install) => {
  const fixture = sharedCluster(install, { name: 'driver' });

  registerDriverScenarios(() => realMesos(fixture.cluster));
  registerSubscribeScenarios(() => realMesos(fixture.cluster));
  registerTaskEnvironmentScenarios(() => realMesos(fixture.cluster));
  registerKillScenarios(() => realMesos(fixture.cluster));
});

describe('the scheduler driver in-process: the same scenarios on the simulator', () => {
  let target: Awaited<ReturnType<typeof simulatedMesos>>;
  beforeAll(async () => {
    target = await simulatedMesos();
  }, 60_000);
  afterAll(() => target?.simulator.close(), 60_000);

  registerDriverScenarios((): MesosUnderTest => target);
  registerSubscribeScenarios((): MesosUnderTest => target);
  registerTaskEnvironmentScenarios((): MesosUnderTest => target);
  registerKillScenarios((): MesosUnderTest => target);
});
