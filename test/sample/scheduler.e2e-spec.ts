import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import type { Upid } from '../../lib/index.js';
import { MesosMessage } from '../../lib/mesos/index.js';
import { startScheduler, startSimulator } from '../../sample/run-sample.js';
import type { MesosSimulator } from '../../lib/mesos/testing/index.js';
import { TaskRegistry } from '../../sample/scheduler/task-registry.js';
import {
  callsOfType,
  CapturedOutput,
  closeAll,
  testConfig,
} from './sample-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The sample scheduler against the embedded simulator, both in this Jest process on
 * 127.0.0.1 ephemeral ports, talking libprocess over real sockets.
 */
describe('sample scheduler against the master simulator', () => {
  const apps: Array<Pick<INestMicroservice, 'close'> | undefined> = [];

  afterEach(async () => {
    await closeAll(apps.splice(0).reverse());
  });

  async function simulator(port = 0) {
    const started = await startSimulator({ port }, false);
    apps.push(started.app);
    return { ...started, process: started.app };
  }

  async function scheduler(
    master: Upid,
    overrides: Parameters<typeof testConfig>[1] = {},
  ) {
    const output = new CapturedOutput();
    const started = await startScheduler(
      testConfig(master.toString(), overrides),
      false,
      output,
    );
    apps.push(started.app);
    return { ...started, output };
  }

  /** TEARDOWN is a framework's last call: once the master removed it, every call has arrived. */
  async function removed(
    sim: { process: MesosSimulator },
    frameworkId?: string,
  ) {
    await waitFor(
      () =>
        (
          sim.process.state().completed_frameworks as Array<{ id: string }>
        ).some((fw) => fw.id === frameworkId),
      15_000,
      `framework ${frameworkId} to be removed`,
    );
  }

  it('registers, launches 3 tasks, acknowledges every update, and tears down when all FINISHED', async () => {
    const sim = await simulator();
    const { scheduler: service, output } = await scheduler(sim.master);

    const result = await service.finished;

    expect(result.succeeded).toBe(true);
    expect(result.tasks.map((task) => task.state)).toEqual([
      'TASK_FINISHED',
      'TASK_FINISHED',
      'TASK_FINISHED',
    ]);
    await removed(sim, result.frameworkId);
    const received = sim.process.calls;
    expect(received[0].call.type).toBe('SUBSCRIBE');
    expect(received[0].call.subscribe?.framework_info).toMatchObject({
      user: 'tester',
      name: 'sample-e2e',
    });
    expect(received[0].call.framework_id).toBeUndefined();
    const launched = callsOfType(received, 'ACCEPT').flatMap(
      ({ call }) =>
        call.accept?.operations?.flatMap((op) => op.launch?.task_infos ?? []) ??
        [],
    );
    expect(launched.map((task) => task.task_id.value).sort()).toEqual([
      'task-1',
      'task-2',
      'task-3',
    ]);
    expect(launched[0].command?.value).toBe('echo hello');
    // STARTING, RUNNING and FINISHED of each task, each acknowledged with the agent's 16-byte uuid.
    const acks = callsOfType(received, 'ACKNOWLEDGE');
    expect(acks).toHaveLength(9);
    for (const { call } of acks) {
      expect(Buffer.from(call.acknowledge!.uuid)).toHaveLength(16);
      expect(call.framework_id?.value).toBe(result.frameworkId);
    }
    expect(received[received.length - 1].call.type).toBe('TEARDOWN');
    // What a detector reads: GET /master/state names the leading master.
    const masterState = await fetch(
      `http://${sim.master.address}/master/state`,
    ).then((res) => res.json() as Promise<{ leader: string }>);
    expect(masterState.leader).toBe(sim.master.toString());
    for (const state of ['STAGING', 'STARTING', 'RUNNING', 'FINISHED']) {
      expect(output.text).toMatch(
        new RegExp(`task-3 +TASK_${state} +on localhost`),
      );
    }
  });

  it('reports a failing command as TASK_FAILED and does not succeed', async () => {
    const sim = await simulator();
    const { scheduler: service, output } = await scheduler(sim.master, {
      tasks: 1,
      command: 'exit 3',
    });

    const result = await service.finished;

    expect(result.succeeded).toBe(false);
    expect(result.tasks[0]).toMatchObject({
      state: 'TASK_FAILED',
      message: 'Command exited with status 3',
    });
    await removed(sim, result.frameworkId);
    expect(callsOfType(sim.process.calls, 'TEARDOWN')).toHaveLength(1);
    expect(output.text).toMatch(
      /task-1 +TASK_FAILED +on localhost: Command exited with status 3/,
    );
  });

  it('re-subscribes with its framework id when the master restarts, reconciles, and still finishes', async () => {
    const first = await simulator();
    const { scheduler: service, app } = await scheduler(first.master, {
      command: 'sleep 1',
    });
    const tasks = app.get(TaskRegistry);
    await waitFor(
      () => tasks.all().every((task) => task.state === 'TASK_RUNNING'),
      15_000,
      'all tasks RUNNING',
    );
    const frameworkId = service.state.frameworkId;

    await first.app.close();
    await waitFor(
      () => service.state.phase === 'disconnected',
      15_000,
      'the scheduler to notice',
    );
    const second = await simulator(first.master.port);

    const result = await service.finished;
    await removed(second, result.frameworkId);

    const subscribe = callsOfType(second.process.calls, 'SUBSCRIBE')[0].call;
    expect(subscribe.framework_id?.value).toBe(frameworkId);
    expect(subscribe.subscribe?.framework_info.id?.value).toBe(frameworkId);
    expect(subscribe.subscribe?.force).toBe(false);
    expect(result.frameworkId).toBe(frameworkId);
    // The new master does not know the tasks: reconciliation says TASK_LOST (no uuid, so no
    // acknowledgement), and the scheduler launches them again.
    const reconcile = callsOfType(second.process.calls, 'RECONCILE')[0].call;
    expect(
      reconcile.reconcile?.tasks?.map((task) => task.task_id.value).sort(),
    ).toEqual(['task-1', 'task-2', 'task-3']);
    expect(result.succeeded).toBe(true);
    expect(result.tasks.every((task) => task.launches === 2)).toBe(true);
    expect(callsOfType(second.process.calls, 'ACKNOWLEDGE')).toHaveLength(9);
  });

  it('aborts with the message of a FrameworkErrorMessage', async () => {
    const sim = await simulator();
    // A framework with failover_timeout 0 is removed as soon as its link breaks...
    const first = await scheduler(sim.master, {
      failoverTimeout: 0,
      command: 'sleep 5',
    });
    await waitFor(
      () => first.scheduler.state.phase === 'subscribed',
      15_000,
      'registration',
    );
    const frameworkId = first.scheduler.state.frameworkId;
    await first.app.close();
    await removed(sim, frameworkId);

    // ...so a scheduler that tries to resume it is refused, and aborts.
    const second = await scheduler(sim.master, { frameworkId });
    const result = await second.scheduler.finished;

    expect(
      callsOfType(sim.process.calls, 'SUBSCRIBE').pop()?.call.subscribe?.force,
    ).toBe(true);
    expect(result.succeeded).toBe(false);
    expect(result.abortReason).toContain('Framework has been removed');
  });

  it('acknowledges a status update only when it has both a uuid and a pid', async () => {
    const sim = await simulator();
    const { scheduler: service, app } = await scheduler(sim.master, {
      tasks: 1,
      command: 'sleep 1',
    });
    const tasks = app.get(TaskRegistry);
    await waitFor(
      () => tasks.get('task-1')?.state === 'TASK_RUNNING',
      15_000,
      'the task RUNNING',
    );
    const schedulerPid = service.state.pid!;
    const frameworkId = service.state.frameworkId!;
    const injectedAcks = () =>
      callsOfType(sim.process.calls, 'ACKNOWLEDGE')
        .map(({ call }) => call.acknowledge!)
        .filter((ack) => ack.slave_id.value === 'injected-S0');

    const uuidNoPid = Buffer.alloc(16, 0xaa);
    const uuidAndPid = Buffer.alloc(16, 0xbb);
    const update = (uuid?: Buffer, pid?: string) => ({
      update: {
        framework_id: { value: frameworkId },
        slave_id: { value: 'injected-S0' },
        status: {
          task_id: { value: 'task-1' },
          state: 'TASK_RUNNING',
          ...(uuid && { uuid }),
        },
        timestamp: Date.now() / 1000,
        ...(uuid && { uuid }),
      },
      ...(pid && { pid }),
    });
    sim.app.sendAsMaster(
      schedulerPid,
      MesosMessage.StatusUpdate,
      update(undefined, 'slave(1)@127.0.0.1:1'),
    );
    sim.app.sendAsMaster(
      schedulerPid,
      MesosMessage.StatusUpdate,
      update(uuidNoPid),
    );
    // The control: this one must be acknowledged. The scheduler handles messages in order and its
    // calls reach the master in order, so once this ACKNOWLEDGE is in, any for the two above would be.
    sim.app.sendAsMaster(
      schedulerPid,
      MesosMessage.StatusUpdate,
      update(uuidAndPid, 'slave(1)@127.0.0.1:1'),
    );
    await waitFor(
      () => injectedAcks().length > 0,
      15_000,
      'the control acknowledgement',
    );

    expect(injectedAcks()).toHaveLength(1);
    expect(Buffer.from(injectedAcks()[0].uuid).equals(uuidAndPid)).toBe(true);
    expect((await service.finished).succeeded).toBe(true);
  });
});
