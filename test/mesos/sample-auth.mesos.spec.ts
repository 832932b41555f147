import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { stopAllSpawned } from '../support/spawned-process.js';
import { MesosCluster } from './support/mesos-cluster.js';
import { describeWithMesos } from './support/mesos-gate.js';
import { frameworksNamed } from './support/master-state.js';
import { ensureSampleBuilt, runSample } from './support/sample-cli.js';

const PRINCIPAL = 'mesos-suite';
const SECRET = 'mesos-suite-secret';

/**
 * Framework authentication against a master run with `--authenticate_frameworks` and a
 * credentials file: what the master answers, surfaced by the sample with the master's text.
 */
describeWithMesos('framework authentication (sample CLI)', (install) => {
  let cluster: MesosCluster;

  beforeAll(async () => {
    const [started] = await Promise.all([
      MesosCluster.start(install, {
        name: 'auth',
        credentials: [{ principal: PRINCIPAL, secret: SECRET }],
        authenticateFrameworks: true,
      }),
      ensureSampleBuilt(),
    ]);
    cluster = started;
  }, 300_000);

  afterEach(stopAllSpawned);
  afterAll(() => cluster?.stop(), 120_000);

  it('without credentials: the master refuses the subscription and the sample exits 1 with its text', async () => {
    const name = 'mesos-suite-auth-none';
    const run = await runSample(
      'sample (no credentials)',
      ['--master', cluster.masterAddr, '--name', name, '--tasks', '1'],
      60_000,
    );

    expect(run.code).toBe(1);
    // The master's own words (master.cpp), passed through.
    expect(run.stdout).toMatch(
      /framework error from master@127\.0\.0\.1:\d+: Framework at scheduler-\S+@127\.0\.0\.1:\d+ is not authenticated/,
    );
    expect(run.stdout).toContain('0/1 tasks finished');
    expect(cluster.masterLog()).toMatch(
      new RegExp(
        `Refusing subscription of framework '${name}' at \\S+: Framework at \\S+ is not authenticated`,
      ),
    );
    expect(await frameworksNamed(cluster, name)).toEqual([]);
  }, 90_000);
});
