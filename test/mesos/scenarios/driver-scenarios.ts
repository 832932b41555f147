import { afterEach, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import {
  DriverStatus,
  type Offer,
  type SchedulerDriver,
  type SchedulerDriverOptions,
  type TaskInfo,
  type TaskStatus,
} from '../../../lib/mesos/index.js';
import {
  type RecordingScheduler,
  startDriverApp,
} from '../../driver/support/driver-harness.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  firstAgentId,
  frameworkById,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { pollUntil } from '../support/process-watch.js';

/** A driver app of one scenario, closed after it. */
interface DriverRun {
  app: INestMicroservice;
  driver: SchedulerDriver;
  scheduler: RecordingScheduler;
  /** Offers received while no scenario step handled offers (they stay outstanding). */
  parked: Offer[];
}

/**
 * Routes offers to `handle` from now on, starting with those that arrived before (an offer
 * often comes with the registration, before a scenario could say what to do with it).
 */
function onOffers(run: DriverRun, handle: (offer: Offer) => void): void {
  run.scheduler.on.resourceOffers = (offers: Offer[]) => offers.forEach(handle);
  run.parked.splice(0).forEach(handle);
}

function task(id: string, agentId: string, command: string): TaskInfo {
  return {
    name: id,
    task_id: { value: id },
    slave_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
    command: { value: command, shell: true },
  } as TaskInfo;
}

/** The fields of a status update both masters must agree on. */
function observed(status: TaskStatus) {
  return {
    state: status.state,
    source: status.source,
    reason: status.reason,
    message: status.message,
    acknowledgeable: (status.uuid?.length ?? 0) > 0,
  };
}

function statusesOf(scheduler: RecordingScheduler, taskId: string) {
  return scheduler.statuses.filter((s) => s.task_id.value === taskId);
}

async function waitForState(
  run: DriverRun,
  taskId: string,
  state: string,
  timeoutMs = 30_000,
): Promise<TaskStatus> {
  await pollUntil(
    () => statusesOf(run.scheduler, taskId).some((s) => s.state === state),
    timeoutMs,
    `${taskId} to be ${state} (seen: ${statusesOf(run.scheduler, taskId)
      .map((s) => s.state)
      .join(', ')})`,
  );
  return statusesOf(run.scheduler, taskId).find((s) => s.state === state)!;
}

/**
 * The scheduler driver (`nestjs-libprocess/mesos`) in this process against `target()`: the
 * same scenarios and the same expected observations on the real master and on the simulator.
 * Each scenario registers a framework of its own (unique name) and tears it down.
 */
export function registerDriverScenarios(target: () => MesosUnderTest): void {
  const runs: DriverRun[] = [];
  let serial = 0;

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.app.close();
  });

  async function startDriver(
    name: string,
    options: Partial<SchedulerDriverOptions> = {},
  ): Promise<DriverRun> {
    serial += 1;
    const started = await startDriverApp({
      master: target().masterAddr,
      framework: {
        name: `mesos-suite-${name}-${serial}`,
        failover_timeout: 60,
      },
      ...options,
    });
    const run: DriverRun = {
      ...started,
      parked: [...started.scheduler.offers],
    };
    run.scheduler.on.resourceOffers = (offers: Offer[]) =>
      run.parked.push(...offers);
    runs.push(run);
    await pollUntil(
      () => run.scheduler.count('registered') === 1,
      30_000,
      `${name} to register with ${target().label}`,
    );
    return run;
  }

  /** Launches `tasks` with ACCEPT/LAUNCH on the next offer; later offers are declined for 1 s. */
  function launchOnNextOffer(run: DriverRun, tasks: TaskInfo[]): void {
    let launched = false;
    onOffers(run, (offer) => {
      if (launched) {
        run.driver.declineOffer(offer.id, { refuse_seconds: 1 });
        return;
      }
      launched = true;
      run.driver.acceptOffers(
        [offer.id],
        [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      );
    });
  }

  /** stop() (TEARDOWN): the master removes the framework (completed), then the app closes. */
  async function tearDown(run: DriverRun): Promise<void> {
    const id = run.driver.frameworkId!;
    expect(run.driver.stop()).toBe(DriverStatus.STOPPED);
    await pollUntil(
      async () => (await frameworkById(target(), id))?.completed === true,
      10_000,
      `framework ${id} to be completed on ${target().label}`,
    );
    await run.app.close();
    runs.splice(runs.indexOf(run), 1);
  }

  it('accept LAUNCH: a command task runs to TASK_FINISHED; implicit acknowledgements complete it on the master', async () => {
    const run = await startDriver('launch');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('launch-1', agentId, 'true')]);

    await waitForState(run, 'launch-1', 'TASK_FINISHED');

    expect(statusesOf(run.scheduler, 'launch-1').map(observed)).toEqual([
      {
        state: 'TASK_STARTING',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: undefined,
        acknowledgeable: true,
      },
      {
        state: 'TASK_RUNNING',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: undefined,
        acknowledgeable: true,
      },
      {
        state: 'TASK_FINISHED',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: 'Command exited with status 0',
        acknowledgeable: true,
      },
    ]);
    // Acknowledged: the master moved the task to the framework's completed tasks.
    await pollUntil(
      async () =>
        (
          await frameworkById(target(), run.driver.frameworkId!)
        )?.framework.completed_tasks.some((t) => t.id === 'launch-1') === true,
      10_000,
      'launch-1 to be completed on the master',
    );
    const { framework } = (await frameworkById(
      target(),
      run.driver.frameworkId!,
    ))!;
    // libmesos fills FrameworkInfo.hostname; the master shows what it got.
    expect(framework.hostname).toMatch(/./);
    await tearDown(run);
  }, 60_000);

  it('explicit acknowledgements: an unacknowledged update holds back the next one; the terminal task completes only once acknowledged', async () => {
    const run = await startDriver('explicit-ack', {
      implicitAcknowledgements: false,
    });
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('ack-1', agentId, 'true')]);

    const starting = await waitForState(run, 'ack-1', 'TASK_STARTING');
    // The agent forwards RUNNING only once STARTING is acknowledged (it re-sends STARTING
    // after 10 s): nothing more arrives meanwhile.
    await sleep(1500);
    expect(statusesOf(run.scheduler, 'ack-1').map((s) => s.state)).toEqual([
      'TASK_STARTING',
    ]);

    run.driver.acknowledgeStatusUpdate(starting);
    const running = await waitForState(run, 'ack-1', 'TASK_RUNNING');
    run.driver.acknowledgeStatusUpdate(running);
    const finished = await waitForState(run, 'ack-1', 'TASK_FINISHED');

    // Terminal but not acknowledged: still among the framework's (active) tasks.
    await sleep(500);
    let view = (await frameworkById(target(), run.driver.frameworkId!))!;
    expect(view.framework.tasks.map((t) => [t.id, t.state])).toEqual([
      ['ack-1', 'TASK_FINISHED'],
    ]);
    expect(view.framework.completed_tasks).toEqual([]);

    run.driver.acknowledgeStatusUpdate(finished);
    await pollUntil(
      async () => {
        view = (await frameworkById(target(), run.driver.frameworkId!))!;
        return view.framework.completed_tasks.some((t) => t.id === 'ack-1');
      },
      10_000,
      'ack-1 to be completed once acknowledged',
    );
    expect(view.framework.tasks).toEqual([]);
    // Each update reached us once: none re-sent after its acknowledgement.
    expect(statusesOf(run.scheduler, 'ack-1').map((s) => s.state)).toEqual([
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_FINISHED',
    ]);
    await tearDown(run);
  }, 60_000);

  it('a failing command: TASK_FAILED from the executor with the exit status', async () => {
    const run = await startDriver('failed');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('failed-1', agentId, 'exit 7')]);

    const failed = await waitForState(run, 'failed-1', 'TASK_FAILED');

    expect(observed(failed)).toEqual({
      state: 'TASK_FAILED',
      source: 'SOURCE_EXECUTOR',
      // The command executor sets no reason for a command's own failure.
      reason: undefined,
      message: 'Command exited with status 7',
      acknowledgeable: true,
    });
    await tearDown(run);
  }, 60_000);

  it('kill, explicit reconciliation of a known and an unknown task, and a duplicate task id', async () => {
    const run = await startDriver('kill-reconcile');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('long-1', agentId, 'sleep 300')]);
    await waitForState(run, 'long-1', 'TASK_RUNNING');

    const answers = await run.driver.reconcile([
      { task_id: { value: 'long-1' }, slave_id: { value: agentId } },
      { task_id: { value: 'never-launched' }, slave_id: { value: agentId } },
    ]);
    const byTask = Object.fromEntries(
      answers.map((s) => [s.task_id.value, observed(s)]),
    );
    expect(byTask).toEqual({
      'long-1': {
        state: 'TASK_RUNNING',
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Latest task state',
        acknowledgeable: false,
      },
      'never-launched': {
        state: 'TASK_LOST',
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Task is unknown to the agent',
        acknowledgeable: false,
      },
    });

    // The same id again, on a new offer, while the first one runs: refused by the master.
    run.driver.reviveOffers();
    launchOnNextOffer(run, [task('long-1', agentId, 'sleep 300')]);
    const error = await waitForState(run, 'long-1', 'TASK_ERROR');
    expect(observed(error)).toEqual({
      state: 'TASK_ERROR',
      source: 'SOURCE_MASTER',
      reason: 'REASON_TASK_INVALID',
      message: 'Task has duplicate ID: long-1',
      acknowledgeable: false,
    });

    run.driver.killTask({ value: 'long-1' }, { value: agentId });
    const killed = await waitForState(run, 'long-1', 'TASK_KILLED');
    expect(observed(killed)).toMatchObject({
      state: 'TASK_KILLED',
      source: 'SOURCE_EXECUTOR',
      acknowledgeable: true,
    });
    await tearDown(run);
  }, 90_000);

  it('decline with a filter, revive, suppress: offers stop and come back as asked', async () => {
    const run = await startDriver('offers');
    const offers: Offer[] = [];
    let answer: (offer: Offer) => void = () => undefined;
    onOffers(run, (offer) => {
      offers.push(offer);
      answer(offer);
    });
    const offersNow = () => offers.length;

    // Declined for an hour: the agent's resources are not offered again...
    answer = (offer) =>
      run.driver.declineOffer(offer.id, { refuse_seconds: 3600 });
    offers.forEach(answer);
    await pollUntil(() => offersNow() >= 1, 15_000, 'a first offer');
    const afterDecline = offersNow();
    await sleep(1500);
    expect(offersNow()).toBe(afterDecline);

    // ...until REVIVE clears the filter.
    answer = (offer) =>
      run.driver.declineOffer(offer.id, { refuse_seconds: 0.1 });
    run.driver.reviveOffers();
    await pollUntil(
      () => offersNow() > afterDecline,
      15_000,
      'an offer after REVIVE',
    );

    // SUPPRESS: no offers even though the filter (0.1 s) has long expired...
    run.driver.suppressOffers();
    await sleep(1000);
    const suppressed = offersNow();
    await sleep(1500);
    expect(offersNow()).toBe(suppressed);

    // ...until REVIVE.
    run.driver.reviveOffers();
    await pollUntil(
      () => offersNow() > suppressed,
      15_000,
      'an offer after REVIVE following SUPPRESS',
    );
    await tearDown(run);
  }, 60_000);
}
