import { Inject, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  isTerminalState,
  MesosScheduler,
  SchedulerDriver,
  taskStateName,
  type FrameworkID,
  type MasterInfo,
  type Offer,
  type Resource,
  type TaskInfo,
  type TaskStatus,
} from 'nestjs-libprocess/mesos';
import { RunReporter, type RunResult } from './run-report.js';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import {
  taskOfMesosId,
  TaskRegistry,
  type TaskRecord,
} from './task-registry.js';
import { TaskStateStore } from './task-state.store.js';

/** While tasks wait, a refused offer comes back quickly; with nothing left to launch it stays away. */
const REFUSE_SECONDS_WHILE_PENDING = 1;
const REFUSE_SECONDS_WHEN_DONE = 60;
const DEFAULT_LOST_GRACE_MS = 90_000;
const DEFAULT_ADOPT_WINDOW_MS = 3000;
/** Re-asking about tasks the master does not know yet: 2 s, doubling up to 15 s. */
const RECHECK_MIN_MS = 2000;
const RECHECK_MAX_MS = 15_000;
/** Answers a master gives for a task it has not heard of (yet): its agent may still re-register. */
const UNKNOWN_ANSWERS = new Set([
  'TASK_LOST',
  'TASK_UNKNOWN',
  'TASK_UNREACHABLE',
]);

function scalar(resources: Resource[] | undefined, name: string): number {
  return (resources ?? [])
    .filter((resource) => resource.name === name && resource.scalar)
    .reduce((sum, resource) => sum + (resource.scalar?.value ?? 0), 0);
}

/**
 * The sample framework on `nestjs-libprocess/mesos`: launch N copies of a command, follow them to
 * a terminal state, then tear the framework down. The driver does registration, failover, master
 * detection, authentication and acknowledgements; this class is only the framework's logic:
 *
 * - every launch has a fresh task id, so a late update of an earlier launch is never credited to
 *   the current one, and a relaunch is never refused as a duplicate;
 * - it records its tasks in a state file (TaskStateStore) before launching and before an update
 *   is acknowledged: resuming a framework id (`--framework-id`) it takes them back, so a task that
 *   FINISHED before the restart (which the master has forgotten) is not launched again, and the
 *   ones that were active are reconciled explicitly;
 * - without a record it cannot tell a finished task from one never launched: it asks the master
 *   which of its tasks still run (implicit reconciliation), adopts those, and launches the rest
 *   again (at least once, with a warning);
 * - after a master failover it reconciles; a task the master does not know yet (its agent has not
 *   re-registered) is asked about again for `lostGraceMs` before it counts as lost and is relaunched;
 * - re-queued tasks ask for offers with one REVIVE, however many they are.
 */
@MesosScheduler()
export class SampleScheduler implements MesosScheduler, OnApplicationShutdown {
  private readonly logger = new Logger('SampleScheduler');
  private readonly lostGraceMs: number;
  private adopting = false;
  private adopted = false;
  /** Resuming from a state file (else from the master's implicit reconciliation only). */
  private restored = false;
  private adoptTimer?: NodeJS.Timeout;
  private recheckTimer?: NodeJS.Timeout;
  private recheckMs = RECHECK_MIN_MS;
  private reviveQueued = false;
  private warnedOfferTooSmall = false;
  private done = false;
  private resolveFinished!: (result: RunResult) => void;

  /** Resolves once the run is over: torn down, aborted or interrupted. */
  readonly finished = new Promise<RunResult>(
    (resolve) => (this.resolveFinished = resolve),
  );

  constructor(
    private readonly driver: SchedulerDriver,
    private readonly tasks: TaskRegistry,
    private readonly reporter: RunReporter,
    private readonly store: TaskStateStore,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {
    this.lostGraceMs = config.lostGraceMs ?? DEFAULT_LOST_GRACE_MS;
    if (config.resumeFrameworkId !== undefined) {
      this.restore(config.resumeFrameworkId);
    }
  }

  registered(_frameworkId: FrameworkID, master: MasterInfo): void {
    this.logger.log(`Leading master: ${master.pid}`);
    // From here on the run has a framework id, hence a state file.
    this.record();
    if (this.config.resumeFrameworkId !== undefined && !this.adopted) {
      this.resume();
    } else {
      this.reconcileActive();
    }
  }

  reregistered(master: MasterInfo): void {
    this.logger.log(`Leading master: ${master.pid}`);
    this.reconcileActive();
  }

  disconnected(): void {
    this.logger.warn(
      'Disconnected from the master; the driver is finding it again',
    );
  }

  resourceOffers(offers: Offer[]): void {
    for (const offer of offers) {
      const launched = this.done || this.adopting ? [] : this.launchOn(offer);
      if (launched.length > 0) {
        // Recorded first: a restart then knows the launch, whether or not it reached the master.
        if (!this.recordLaunch(launched)) {
          this.driver.declineOffer(offer.id, {
            refuse_seconds: REFUSE_SECONDS_WHILE_PENDING,
          });
          continue;
        }
        this.driver.launchTasks([offer.id], launched, {
          refuse_seconds: REFUSE_SECONDS_WHILE_PENDING,
        });
        continue;
      }
      const waiting = !this.done && this.tasks.pending().length > 0;
      if (waiting && !this.adopting && !this.warnedOfferTooSmall) {
        // Once: with a task bigger than any agent the run waits until Ctrl-C.
        this.warnedOfferTooSmall = true;
        this.logger.warn(
          `Offers are too small for a task (cpus ${this.config.cpus}, mem ${this.config.mem}); waiting for a bigger one`,
        );
      }
      this.driver.declineOffer(offer.id, {
        refuse_seconds: waiting
          ? REFUSE_SECONDS_WHILE_PENDING
          : REFUSE_SECONDS_WHEN_DONE,
      });
    }
  }

  statusUpdate(status: TaskStatus): void {
    if (this.done) return;
    const mesosId = status.task_id.value;
    const state = taskStateName(status.state);
    const task = this.tasks.byMesosId(mesosId);
    if (!task) {
      this.unmatchedUpdate(status, state);
      return;
    }
    const reconciling = status.reason === 'REASON_RECONCILIATION';
    if (reconciling && UNKNOWN_ANSWERS.has(state) && this.isActive(task)) {
      if (this.stillWaiting(task, state)) return;
    }
    const transition = this.tasks.applyStatus(
      task,
      state,
      status.message,
      Date.now(),
    );
    if (transition.changed) {
      this.reporter.progress(task);
      if (transition.retryable) {
        this.tasks.requeue(task);
        this.reporter.progress(task);
        this.queueRevive();
      }
    }
    // Recorded before the driver acknowledges the update (when this returns), also when nothing
    // changed (a re-sent update): if it cannot be recorded, this throws and the update stays
    // unacknowledged, so the master keeps the task.
    try {
      this.record();
    } finally {
      if (this.tasks.allTerminal()) this.finish();
    }
  }

  error(message: string): void {
    const from = this.driver.master?.pid;
    this.finish(`framework error${from ? ` from ${from}` : ''}: ${message}`);
  }

  /** SIGINT or SIGTERM: tear the framework down (killing its tasks) and stop. */
  interrupt(): void {
    this.finish('interrupted');
  }

  onApplicationShutdown(): void {
    this.clearTimers();
  }

  private launchOn(offer: Offer): TaskInfo[] {
    let cpus = scalar(offer.resources, 'cpus');
    let mem = scalar(offer.resources, 'mem');
    const launched: TaskInfo[] = [];
    for (const task of this.tasks.pending()) {
      // A small epsilon: offered scalars are sums of doubles (Mesos rounds them to 3 decimals).
      if (cpus + 1e-6 < this.config.cpus || mem + 1e-6 < this.config.mem) {
        break;
      }
      cpus -= this.config.cpus;
      mem -= this.config.mem;
      const mesosId = this.tasks.markLaunched(
        task,
        offer.slave_id.value,
        offer.hostname,
        Date.now(),
      );
      launched.push({
        name: task.id,
        task_id: { value: mesosId },
        slave_id: offer.slave_id,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: this.config.cpus } },
          { name: 'mem', type: 'SCALAR', scalar: { value: this.config.mem } },
        ],
        command: { value: this.config.command, shell: true },
      });
      this.reporter.progress(task);
    }
    return launched;
  }

  /**
   * An update of no current launch: a task of a previous scheduler instance (adopted while the
   * implicit reconciliation runs), or an earlier launch that still runs somewhere (killed: its
   * task has been launched again).
   */
  private unmatchedUpdate(status: TaskStatus, state: string): void {
    const mesosId = status.task_id.value;
    if (this.adopting && taskOfMesosId(mesosId) && !isTerminalState(state)) {
      const task = this.tasks.adopt(
        mesosId,
        state,
        status.slave_id?.value,
        Date.now(),
      );
      if (task) {
        this.logger.log(`Adopted ${mesosId} (${state}) from the previous run`);
        this.reporter.progress(task);
        this.record();
        return;
      }
    }
    if (this.tasks.isStale(mesosId) && !isTerminalState(state)) {
      this.logger.warn(
        `Killing ${mesosId}: an earlier launch of a relaunched task`,
      );
      this.driver.killTask(status.task_id, status.slave_id);
      return;
    }
    this.logger.debug(
      `Ignoring ${state} of ${mesosId}: not a task of this run`,
    );
  }

  /**
   * A reconciliation answered "lost"/"unknown" for a task we believe runs. A failed-over master
   * knows an agent's tasks only once the agent re-registers (up to its ping timeout), so ask again
   * until `lostGraceMs` has passed; only then is the task lost (and relaunched).
   */
  private stillWaiting(task: TaskRecord, state: string): boolean {
    const now = Date.now();
    if (task.unknownSince === undefined) {
      task.unknownSince = now;
      this.logger.warn(
        `The master answers ${state} for ${task.id} (${task.mesosId}); waiting up to ${Math.round(this.lostGraceMs / 1000)}s for its agent to re-register`,
      );
    }
    if (now - task.unknownSince >= this.lostGraceMs) return false;
    this.scheduleRecheck();
    return true;
  }

  private scheduleRecheck(): void {
    if (this.recheckTimer || this.done) return;
    const delay = this.recheckMs;
    this.recheckMs = Math.min(this.recheckMs * 2, RECHECK_MAX_MS);
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      const unknown = this.tasks
        .active()
        .filter((task) => task.unknownSince !== undefined);
      if (unknown.length > 0) this.reconcile(unknown);
    }, delay);
  }

  /**
   * Takes back the tasks a previous instance recorded for this framework id. Without a record,
   * says what that means: the master forgets a task once its terminal update is acknowledged,
   * so a task that finished before the restart cannot be told from one never launched.
   */
  private restore(frameworkId: string): void {
    const file = this.store.fileOf(frameworkId);
    const saved = this.store.load(frameworkId);
    if (!saved) {
      this.logger.warn(
        `No record of framework ${frameworkId}'s tasks${file ? ` in ${file}` : ' (no state directory)'}: tasks that finished before the restart cannot be known and are launched again; only the ones the master reports as still running are adopted`,
      );
      return;
    }
    const ignored = this.tasks.restore(saved);
    if (ignored.length > 0) {
      this.logger.warn(
        `${file} records ${ignored.join(', ')}, beyond --tasks ${this.config.tasks}: ignored`,
      );
    }
    this.restored = true;
    const all = this.tasks.all();
    this.logger.log(
      `Resuming framework ${frameworkId} from ${file}: ${all.filter((t) => isTerminalState(t.state)).length} task(s) ended, ${this.tasks.active().length} active, ${this.tasks.pending().length} to launch`,
    );
    for (const task of all) {
      if (task.mesosId !== undefined) this.reporter.progress(task);
    }
  }

  /** Registered again under the resumed framework id. */
  private resume(): void {
    if (!this.restored) {
      this.adopt();
      return;
    }
    this.adopted = true;
    if (this.tasks.allTerminal()) {
      this.finish();
      return;
    }
    // Their latest state, asked until answered (a task unknown to the master gets the grace).
    this.reconcileActive();
    if (this.tasks.pending().length > 0) this.queueRevive();
  }

  /** After a restart with --framework-id and no record: which of our tasks does the master still know? */
  private adopt(): void {
    this.adopted = true;
    this.adopting = true;
    this.logger.log(
      'Resuming: asking the master for the tasks of the previous run',
    );
    this.driver.reconcileTasks([]);
    this.adoptTimer = setTimeout(() => {
      this.adoptTimer = undefined;
      this.adopting = false;
      const adopted = this.tasks.active().length;
      this.logger.log(
        `${adopted} task(s) adopted; launching ${this.tasks.pending().length}`,
      );
      if (this.tasks.allTerminal()) this.finish();
      else this.queueRevive();
    }, this.config.adoptWindowMs ?? DEFAULT_ADOPT_WINDOW_MS);
  }

  /** After a re-registration: the latest state of every active task, asked until answered. */
  private reconcileActive(): void {
    const active = this.tasks.active();
    if (active.length === 0) return;
    this.logger.log(`Reconciling ${active.length} task(s)`);
    this.reconcile(active);
  }

  private reconcile(tasks: TaskRecord[]): void {
    this.driver
      .reconcile(
        tasks.map((task) => ({
          task_id: { value: task.mesosId! },
          ...(task.agentId && { slave_id: { value: task.agentId } }),
        })),
      )
      .catch(() => undefined); // The driver stopped first.
  }

  /** One REVIVE for any number of tasks re-queued in the same turn. */
  private queueRevive(): void {
    if (this.reviveQueued) return;
    this.reviveQueued = true;
    setImmediate(() => {
      this.reviveQueued = false;
      if (!this.done && this.tasks.pending().length > 0) {
        this.driver.reviveOffers();
      }
    });
  }

  /** Records a launch before it goes out; if that fails, the tasks wait for another offer. */
  private recordLaunch(launched: TaskInfo[]): boolean {
    try {
      this.record();
      return true;
    } catch (error) {
      this.logger.error(
        `Not launching ${launched.map((t) => t.task_id.value).join(', ')}: ${(error as Error).message}`,
      );
      for (const info of launched) {
        const task = this.tasks.byMesosId(info.task_id.value);
        if (task) this.tasks.requeue(task);
      }
      return false;
    }
  }

  /** Writes the state file (once the framework id is known). */
  private record(): void {
    const frameworkId = this.driver.frameworkId;
    if (frameworkId === undefined || !this.store.enabled) return;
    this.store.save({ frameworkId, ...this.tasks.snapshot() });
  }

  private isActive(task: TaskRecord): boolean {
    return this.tasks.active().includes(task);
  }

  /**
   * The end of the run: tear the framework down (TEARDOWN kills what still runs) unless the driver
   * aborted; the application's close then flushes the calls.
   */
  private finish(abortReason?: string): void {
    if (this.done) return;
    this.done = true;
    this.clearTimers();
    const frameworkId = this.driver.frameworkId;
    if (frameworkId && this.driver.connected) {
      this.logger.log(`Tearing down framework ${frameworkId}`);
      // Nothing is left to resume. (After an abort the framework may live on: the file stays.)
      if (!abortReason || abortReason === 'interrupted') {
        this.store.remove(frameworkId);
      }
    }
    this.driver.stop();
    this.resolveFinished({
      frameworkId,
      tasks: this.tasks.all(),
      succeeded: !abortReason && this.tasks.allFinished(),
      abortReason,
    });
  }

  private clearTimers(): void {
    clearTimeout(this.adoptTimer);
    clearTimeout(this.recheckTimer);
    this.adoptTimer = this.recheckTimer = undefined;
  }
}
