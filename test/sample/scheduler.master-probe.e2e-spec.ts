import { afterEach, describe, expect, it } from '@jest/globals';
import { loadMesosProtos, MesosMessage } from '../../lib/mesos/index.js';
import type { Call } from '../../lib/mesos/index.js';
import {
  createTestingNode,
  Probe,
  type TestingNode,
} from '../../lib/testing/index.js';
import { SchedulerModule } from '../../sample/scheduler/scheduler.module.js';
import { SchedulerService } from '../../sample/scheduler/scheduler.service.js';
import { testConfig } from './sample-test.helpers.js';

const mesos = loadMesosProtos();
const CallType = mesos.lookupType(MesosMessage.Call);
const Registered = mesos.lookupType(MesosMessage.FrameworkRegistered);

/**
 * The sample scheduler alone, with a probe standing in for the master, as Mesos' own scheduler
 * tests do: what it sends is asserted message by message, and the master's answers are
 * dropped at will (DROP_PROTOBUF) to reach the paths a healthy master never takes.
 */
describe('sample scheduler against a probe master', () => {
  let master: Probe;
  let node: TestingNode;

  afterEach(async () => {
    await node?.close();
    await master?.close();
  });

  async function start() {
    master = await Probe.start({ id: 'master' });
    node = await createTestingNode(
      { imports: [SchedulerModule.forRoot(testConfig(`${master.pid}`))] },
      // SchedulerModule imports ActorModule itself (on 127.0.0.1, port 0).
      { actor: false },
    );
    const subscribe = await master.expectProtobuf<Call>(CallType);
    return { scheduler: subscribe.from, subscribe: subscribe.object };
  }

  const registration = (frameworkId: string) => ({
    framework_id: { value: frameworkId },
    master_info: { id: 'probe-master', ip: 0x0100007f, port: master.pid.port },
  });

  it('subscribes first, without a framework id', async () => {
    const { subscribe } = await start();
    expect(subscribe.type).toBe('SUBSCRIBE');
    expect(subscribe.framework_id).toBeUndefined();
    expect(subscribe.subscribe?.framework_info).toMatchObject({
      user: 'tester',
      name: 'sample-e2e',
    });
  });

  it('keeps re-sending SUBSCRIBE while registrations are lost, and takes the next one', async () => {
    const { scheduler } = await start();
    const lost = node.dropMessage(Registered, { from: master.pid });
    master.sendProto(scheduler, Registered, registration('fw-lost'));
    await lost;

    const retry = await master.expectProtobuf<Call>(CallType, {
      from: scheduler,
    });
    expect(retry.object.type).toBe('SUBSCRIBE');
    expect(node.get(SchedulerService).state.phase).toBe('subscribing');

    const registered = node.futureMessage(Registered, { to: scheduler });
    master.sendProto(scheduler, Registered, registration('fw-1'));
    await registered;
    expect(node.get(SchedulerService).state).toMatchObject({
      phase: 'subscribed',
      frameworkId: 'fw-1',
    });
  });
});
