import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import type { Upid } from '../../lib/index.js';
import type { TaskInfo } from '../../lib/mesos/index.js';
import { startScheduler, startSimulator } from '../../sample/run-sample.js';
import type {
  MesosSimulator,
  ReceivedCall,
} from '../../lib/mesos/testing/index.js';
import { TaskRegistry } from '../../sample/scheduler/task-registry.js';
import {
  callsOfType,
  CapturedOutput,
  closeAll,
  testConfig,
} from './sample-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

type Received = ReceivedCall[];

function launchedTasks(received: Received): TaskInfo[] {
  return callsOfType(received, 'ACCEPT').flatMap(
    ({ call }) =>
      call.accept?.operations?.flatMap((op) => op.launch?.task_infos ?? []) ??
      [],
  );
}

/**
 * The sample scheduler (a Nest app on the package's SchedulerDriver) against the embedded
 * simulator, both in this Jest process on 127.0.0.1 ephemeral ports, over real sockets.
 */
describe('sample scheduler against the master simulator', () => {
  const apps: Array<Pick<INestMicroservice, 'close'> | undefined> = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await closeAll(apps.splice(0).reverse());
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true });
  });

  function stateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sample-state-'));
    dirs.push(dir);
    return dir;
  }

  /** The tasks (Mesos ids) the simulated master still knows for a framework. */
  function masterTasks(sim: { process: MesosSimulator }, frameworkId: string) {
    const framework = (
      sim.process.state().frameworks as Array<{
        id: string;
        tasks: Array<{ id: string }>;
      }>
    ).find((fw) => fw.id === frameworkId);
    return framework?.tasks.map((task) => task.id) ?? [];
  }

  /**
   * task-1 exits at once; the others run on (through a scheduler restart). A command task's
   * executor id is its task id (there is no MESOS_TASK_ID), as with Mesos' command executor.
   */
  const FIRST_ENDS_AT_ONCE =
    'case "$MESOS_EXECUTOR_ID" in task-1.*) exit 0;; *) sleep 3;; esac';

  /**
   * Runs the sample until task-1 FINISHED, its update was acknowledged and the master forgot
   * it (the others RUNNING), then drops it as a crash does (no TEARDOWN).
   */
  async function crashAfterFirstFinished(
    sim: { process: MesosSimulator; master: Upid },
    dir?: string,
  ) {
    const first = await scheduler(sim.master, {
      cmd: FIRST_ENDS_AT_ONCE,
      stateDir: dir,
    });
    const frameworkId = () => first.driver.frameworkId ?? '';
    await waitFor(
      () =>
        first.tasks.get('task-1')?.state === 'TASK_FINISHED' &&
        ['task-2', 'task-3'].every(
          (id) => first.tasks.get(id)?.state === 'TASK_RUNNING',
        ) &&
        !masterTasks(sim, frameworkId()).includes(
          first.tasks.get('task-1')!.mesosId!,
        ) &&
        masterTasks(sim, frameworkId()).length === 2,
      15_000,
      'task-1 FINISHED and acknowledged, task-2 and task-3 RUNNING',
    );
    const ids = Object.fromEntries(
      first.tasks.all().map((task) => [task.id, task.mesosId]),
    );
    // As a crash: the app goes away without TEARDOWN (the driver stops with failover).
    await first.app.close();
    return {
      frameworkId: frameworkId(),
      ids,
      launchedBefore: launchedTasks(sim.process.calls).length,
    };
  }

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
      testConfig(`${master.host}:${master.port}`, overrides),
      false,
      output,
    );
    apps.push(started.app);
    return { ...started, output, tasks: started.app.get(TaskRegistry) };
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

  it('registers, launches 3 tasks with fresh ids, acknowledges every update, and tears down when all FINISHED', async () => {
    const sim = await simulator();
    const { scheduler: sample, output } = await scheduler(sim.master);

    const result = await sample.finished;

    expect(result.succeeded).toBe(true);
    expect(result.tasks.map((task) => task.state)).toEqual([
      'TASK_FINISHED',
      'TASK_FINISHED',
      'TASK_FINISHED',
    ]);
    await removed(sim, result.frameworkId);
    const received = sim.process.calls;
    expect(received[0].call.type).toBe('SUBSCRIBE');
    // D: the driver fills the hostname, as libmesos does.
    expect(received[0].call.subscribe?.framework_info).toMatchObject({
      user: 'tester',
      name: 'sample-e2e',
      hostname: hostname(),
    });
    expect(received[0].call.framework_id).toBeUndefined();
    expect(received[0].call.subscribe?.force).toBeUndefined();
    const launched = launchedTasks(received);
    // C: Mesos task ids are fresh per launch (`task-N.<random>`), named after the run's task.
    expect(launched.map((task) => task.name).sort()).toEqual([
      'task-1',
      'task-2',
      'task-3',
    ]);
    for (const task of launched) {
      expect(task.task_id.value).toMatch(
        new RegExp(`^${task.name}\\.[0-9a-f]{8}$`),
      );
    }
    expect(launched[0].command?.value).toBe('echo hello');
    // STARTING, RUNNING and FINISHED of each task, each acknowledged with the agent's 16-byte uuid.
    const acks = callsOfType(received, 'ACKNOWLEDGE');
    expect(acks).toHaveLength(9);
    for (const { call } of acks) {
      expect(Buffer.from(call.acknowledge!.uuid)).toHaveLength(16);
      expect(call.framework_id?.value).toBe(result.frameworkId);
    }
    expect(received[received.length - 1].call.type).toBe('TEARDOWN');
    for (const state of ['STAGING', 'STARTING', 'RUNNING', 'FINISHED']) {
      expect(output.text).toMatch(
        new RegExp(`task-3 +TASK_${state} +on localhost`),
      );
    }
  });

  it('reports a failing command as TASK_FAILED and does not succeed', async () => {
    const sim = await simulator();
    const { scheduler: sample, output } = await scheduler(sim.master, {
      tasks: 1,
      cmd: 'exit 3',
    });

    const result = await sample.finished;

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

  it('after a master failover, asks again about tasks the new master does not know yet instead of relaunching them', async () => {
    const sim = await simulator();
    const {
      scheduler: sample,
      driver,
      tasks,
    } = await scheduler(sim.master, {
      cmd: 'sleep 4',
      lostGraceMs: 60_000,
    });
    await waitFor(
      () => tasks.all().every((task) => task.state === 'TASK_RUNNING'),
      15_000,
      'all tasks RUNNING',
    );
    const frameworkId = driver.frameworkId;
    const ids = tasks
      .all()
      .map((task) => task.mesosId)
      .sort();

    // In-memory registry: the new master answers TASK_LOST until the agent re-registers.
    await sim.process.failover({
      registry: 'in_memory',
      agentReregisterDelayMs: 2500,
    });
    const result = await sample.finished;
    await removed(sim, result.frameworkId);

    const received = sim.process.calls;
    const subscribe = callsOfType(received, 'SUBSCRIBE')[0].call;
    expect(subscribe.framework_id?.value).toBe(frameworkId);
    expect(subscribe.subscribe?.framework_info.id?.value).toBe(frameworkId);
    expect(subscribe.subscribe?.force).toBe(false);
    expect(result.frameworkId).toBe(frameworkId);
    // B: asked again (at least twice) rather than relaunching on the first TASK_LOST...
    const reconciles = callsOfType(received, 'RECONCILE');
    expect(reconciles.length).toBeGreaterThanOrEqual(2);
    expect(
      reconciles[0].call.reconcile?.tasks
        ?.map((task) => task.task_id.value)
        .sort(),
    ).toEqual(ids);
    // ...so the tasks ran once and finished where they were.
    expect(launchedTasks(received)).toHaveLength(0);
    expect(result.succeeded).toBe(true);
    expect(result.tasks.every((task) => task.launches === 1)).toBe(true);
    expect(
      tasks
        .all()
        .map((task) => task.mesosId)
        .sort(),
    ).toEqual(ids);
  });

  it('relaunches with fresh ids and one REVIVE once the master still does not know the tasks after the grace', async () => {
    const sim = await simulator();
    const { scheduler: sample, tasks } = await scheduler(sim.master, {
      cmd: 'sleep 1',
      lostGraceMs: 1500,
    });
    await waitFor(
      () => tasks.all().every((task) => task.state === 'TASK_RUNNING'),
      15_000,
      'all tasks RUNNING',
    );
    const firstIds = tasks.all().map((task) => task.mesosId);

    // The grace (1.5 s) runs out at the first re-check, 2 s after the failover; the agent comes
    // back well after it (and only then are there offers for the relaunches).
    await sim.process.failover({
      registry: 'in_memory',
      agentReregisterDelayMs: 8_000,
    });
    const result = await sample.finished;

    const received = sim.process.calls;
    const relaunched = launchedTasks(received);
    expect(relaunched).toHaveLength(3);
    for (const task of relaunched) {
      expect(firstIds).not.toContain(task.task_id.value);
    }
    // D: one REVIVE for the three re-queued tasks.
    expect(callsOfType(received, 'REVIVE')).toHaveLength(1);
    expect(result.succeeded).toBe(true);
    expect(result.tasks.every((task) => task.launches === 2)).toBe(true);
  });

  it('resumed with --framework-id after a crash, adopts the tasks that still run instead of launching copies', async () => {
    const sim = await simulator();
    const first = await scheduler(sim.master, { cmd: 'sleep 3' });
    await waitFor(
      () => first.tasks.all().every((task) => task.state === 'TASK_RUNNING'),
      15_000,
      'all tasks RUNNING',
    );
    const frameworkId = first.driver.frameworkId!;
    const ids = first.tasks
      .all()
      .map((task) => task.mesosId)
      .sort();
    // As a crash: the app goes away without TEARDOWN (the driver stops with failover).
    await first.app.close();
    const launchedBefore = launchedTasks(sim.process.calls).length;

    const second = await scheduler(sim.master, {
      cmd: 'sleep 3',
      frameworkId,
      adoptWindowMs: 1000,
    });
    const result = await second.scheduler.finished;

    expect(result.succeeded).toBe(true);
    expect(result.frameworkId).toBe(frameworkId);
    expect(
      second.tasks
        .all()
        .map((task) => task.mesosId)
        .sort(),
    ).toEqual(ids);
    expect(launchedTasks(sim.process.calls)).toHaveLength(launchedBefore);
    const subscribe = callsOfType(sim.process.calls, 'SUBSCRIBE').pop()!.call;
    expect(subscribe.subscribe?.force).toBe(true);
    expect(subscribe.framework_id?.value).toBe(frameworkId);
    // The implicit reconciliation (no task list) that found them.
    expect(
      callsOfType(sim.process.calls, 'RECONCILE').some(
        ({ call }) => (call.reconcile?.tasks ?? []).length === 0,
      ),
    ).toBe(true);
  });

  it('resumed with --framework-id after a crash, does not relaunch a task that FINISHED before it (its state dir remembers it)', async () => {
    const sim = await simulator();
    const dir = stateDir();
    const before = await crashAfterFirstFinished(sim, dir);
    // The master no longer knows task-1: only the state file does.
    expect(existsSync(join(dir, `${before.frameworkId}.json`))).toBe(true);

    const second = await scheduler(sim.master, {
      cmd: FIRST_ENDS_AT_ONCE,
      frameworkId: before.frameworkId,
      stateDir: dir,
    });
    const result = await second.scheduler.finished;
    await removed(sim, result.frameworkId);

    expect(result.succeeded).toBe(true);
    expect(result.frameworkId).toBe(before.frameworkId);
    // Nothing launched again: task-1 stays the launch that finished, the others are adopted.
    expect(launchedTasks(sim.process.calls)).toHaveLength(
      before.launchedBefore,
    );
    expect(
      Object.fromEntries(
        second.tasks.all().map((task) => [task.id, task.mesosId]),
      ),
    ).toEqual(before.ids);
    expect(result.tasks.map((task) => [task.state, task.launches])).toEqual([
      ['TASK_FINISHED', 1],
      ['TASK_FINISHED', 1],
      ['TASK_FINISHED', 1],
    ]);
    // The active ones were asked about by id (task-1 is not asked: it is known to be over).
    const explicit = callsOfType(sim.process.calls, 'RECONCILE')
      .map(({ call }) => call.reconcile?.tasks ?? [])
      .find((tasks) => tasks.length > 0);
    expect(explicit?.map((task) => task.task_id.value).sort()).toEqual([
      before.ids['task-2'],
      before.ids['task-3'],
    ]);
    // Torn down: nothing left to resume.
    expect(existsSync(join(dir, `${before.frameworkId}.json`))).toBe(false);
  });

  it('resumed without a record of its tasks, launches again the ones the master does not report (it cannot know they finished)', async () => {
    const sim = await simulator();
    const before = await crashAfterFirstFinished(sim, stateDir());

    const second = await scheduler(sim.master, {
      cmd: FIRST_ENDS_AT_ONCE,
      frameworkId: before.frameworkId,
      stateDir: stateDir(), // empty: as on another machine
      adoptWindowMs: 1000,
    });
    const result = await second.scheduler.finished;

    expect(result.succeeded).toBe(true);
    const relaunched = launchedTasks(sim.process.calls).slice(
      before.launchedBefore,
    );
    expect(relaunched.map((task) => task.name)).toEqual(['task-1']);
    expect(relaunched[0].task_id.value).not.toBe(before.ids['task-1']);
    expect(second.tasks.get('task-2')?.mesosId).toBe(before.ids['task-2']);
    expect(second.tasks.get('task-3')?.mesosId).toBe(before.ids['task-3']);
  });

  it('aborts with the message of a FrameworkErrorMessage', async () => {
    const sim = await simulator();
    // A framework with failover_timeout 0 is removed as soon as its link breaks...
    const first = await scheduler(sim.master, {
      failoverTimeout: 0,
      cmd: 'sleep 5',
    });
    await waitFor(() => first.driver.connected, 15_000, 'registration');
    const frameworkId = first.driver.frameworkId;
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
});
