import { afterEach, expect } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';
import {
  DriverStatus,
  type Offer,
  type Offer_Operation,
  type SchedulerDriver,
  type SchedulerDriverOptions,
  type TaskInfo,
  type TaskStatus,
} from '../../../lib/mesos/index.js';
import {
  type RecordingScheduler,
  startDriverApp,
} from '../../driver/support/driver-harness.js';
import {
  frameworkById,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { pollUntil } from '../support/process-watch.js';

/** A driver app of one scenario, closed after it. */
export interface DriverRun {
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
export function onOffers(run: DriverRun, handle: (offer: Offer) => void): void {
  run.scheduler.on.resourceOffers = (offers: Offer[]) => offers.forEach(handle);
  run.parked.splice(0).forEach(handle);
}

/** A command task of 0.1 cpus and 32 MB on `agentId`. */
export function task(id: string, agentId: string, command: string): TaskInfo {
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
export function observed(status: TaskStatus) {
  return {
    state: status.state,
    source: status.source,
    reason: status.reason,
    message: status.message,
    acknowledgeable: (status.uuid?.length ?? 0) > 0,
  };
}

export function statusesOf(scheduler: RecordingScheduler, taskId: string) {
  return scheduler.statuses.filter((s) => s.task_id.value === taskId);
}

/** Resolves with the first update of `taskId` in `state` the scheduler received. */
export async function waitForState(
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

/** ACCEPTs the next offer with `operations`; later offers are declined for 1 s. */
export function acceptNextOffer(
  run: DriverRun,
  operations: (offer: Offer) => Offer_Operation[],
): void {
  let accepted = false;
  onOffers(run, (offer) => {
    if (accepted) {
      run.driver.declineOffer(offer.id, { refuse_seconds: 1 });
      return;
    }
    accepted = true;
    run.driver.acceptOffers([offer.id], operations(offer));
  });
}

/** Launches `tasks` with ACCEPT/LAUNCH on the next offer; later offers are declined for 1 s. */
export function launchOnNextOffer(run: DriverRun, tasks: TaskInfo[]): void {
  acceptNextOffer(run, () => [
    { type: 'LAUNCH', launch: { task_infos: tasks } },
  ]);
}

/**
 * The driver apps of a block of scenarios: each one registers a framework of its own (unique
 * name), and whatever a scenario left open is closed after it (`afterEach`, registered here).
 */
export function driverRuns() {
  const runs: DriverRun[] = [];
  let serial = 0;

  afterEach(async () => {
    for (const run of runs.splice(0)) await run.app.close();
  });

  return {
    /** Starts a driver on `master` and waits until it registered with `target`. */
    async start(
      master: string,
      target: MesosUnderTest,
      name: string,
      options: Partial<SchedulerDriverOptions> = {},
    ): Promise<DriverRun> {
      const run = await this.launch(master, name, options);
      await pollUntil(
        () => run.scheduler.count('registered') === 1,
        30_000,
        `${name} to register with ${target.label}`,
      );
      return run;
    },

    /** Starts a driver on `master` without waiting: for subscriptions the master refuses. */
    async launch(
      master: string,
      name: string,
      options: Partial<SchedulerDriverOptions> = {},
    ): Promise<DriverRun> {
      serial += 1;
      const started = await startDriverApp({
        master,
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
      return run;
    },

    /** Closes the app without stop(): the driver fails over (no TEARDOWN), as a crash would. */
    async close(run: DriverRun): Promise<void> {
      runs.splice(runs.indexOf(run), 1);
      await run.app.close();
    },

    /** stop() (TEARDOWN): `target` removes the framework (completed), then the app closes. */
    async tearDown(run: DriverRun, target: MesosUnderTest): Promise<void> {
      const id = run.driver.frameworkId!;
      expect(run.driver.stop()).toBe(DriverStatus.STOPPED);
      await pollUntil(
        async () => (await frameworkById(target, id))?.completed === true,
        10_000,
        `framework ${id} to be completed on ${target.label}`,
      );
      await run.app.close();
      runs.splice(runs.indexOf(run), 1);
    },
  };
}
