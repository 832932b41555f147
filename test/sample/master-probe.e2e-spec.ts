import { afterEach, describe, expect, it } from '@jest/globals';
import { loadMesosProtos } from 'nestjs-libprocess/mesos';
import { Probe } from 'nestjs-libprocess/testing';

import { startScheduler } from '../../sample/run-sample.js';
import { CapturedOutput, closeAll, testConfig } from './sample-test.helpers.js';

const Call = loadMesosProtos().lookupType('mesos.scheduler.Call');

/**
 * The sample scheduler against a master played by a `nestjs-libprocess/testing` probe: the
 * probe answers the driver's `GET /master/state` and records what the scheduler sends.
 */
describe('sample scheduler against a probe master (nestjs-libprocess/testing)', () => {
  const closers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await closeAll(closers.splice(0).reverse());
  });

  it('asks the master for its state, then subscribes to the leader it names', async () => {
    const master = await Probe.start({ id: 'master' });
    closers.push(master);
    master.route('state', () => ({ leader: `${master.pid}` }));

    const { app } = await startScheduler(
      testConfig(`${master.pid.host}:${master.pid.port}`),
      false,
      new CapturedOutput(),
    );
    closers.push(app);

    const subscribe = await master.expectProtobuf<{
      type: string;
      subscribe: { framework_info: { name: string; user: string } };
    }>(Call, { timeoutMs: 10_000 });
    expect(subscribe.object.type).toBe('SUBSCRIBE');
    expect(subscribe.object.subscribe.framework_info).toMatchObject({
      name: 'sample-e2e',
      user: 'tester',
    });
    expect(master.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      'GET /master/state',
    );
  });
});
