import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActorRef, type DelayHandle, Upid } from '../../lib/index.js';
import { MesosMessage, taskStateName } from '../../lib/mesos/index.js';
import type {
  Call,
  ExecutorToFrameworkMessage,
  ExitedExecutorMessage,
  FrameworkRegisteredMessage,
  LostSlaveMessage,
  Offer,
  RescindResourceOfferMessage,
  Resource,
  ResourceOffersMessage,
  StatusUpdateMessage,
  TaskInfo,
} from '../../lib/mesos/index.js';
import { RunReporter, type RunResult } from './run-report.js';
import { SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler.config.js';
import { TaskRegistry, type TaskRecord } from './task-registry.js';

/** The C++ driver's registration back-off factor and cap (sched.cpp, REGISTRATION_RETRY_INTERVAL_MAX). */
const DEFAULT_REGISTRATION_BACKOFF_MS = 2000;
const MAX_REGISTRATION_BACKOFF_MS = 60_000;

/** While tasks wait, a refused offer comes back quickly; with nothing left to launch it stays away. */
const REFUSE_SECONDS_WHILE_PENDING = 1;
const REFUSE_SECONDS_WHEN_DONE = 60;

/** Where the scheduler is in its life (the driver's `connected`/`running` flags as one value). */
export type SchedulerPhase =
  'idle' | 'subscribing' | 'subscribed' | 'disconnected' | 'done';

function scalar(resources: Resource[] | undefined, name: string): number {
  return (resources ?? [])
    .filter((resource) => resource.name === name && resource.scalar)
    .reduce((sum, resource) => sum + (resource.scalar?.value ?? 0), 0);
}

/**
 * The scheduler's state machine: what the C++ `SchedulerProcess` of libmesos does for a driver
 * with implicit acknowledgements, and the framework logic of this sample (launch N copies of a
 * command, then tear down).
 *
 * Every method runs on the queue of the `scheduler-<uuid>` process (called from its mailboxes,
 * `@OnExited`, or timers dispatched back to it with `ActorRef.delay`), so the state needs no locks.
 */
@Injectable()
export class SchedulerService {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly master: Upid;
  private self?: Upid;
  private phase: SchedulerPhase = 'idle';
  private frameworkId?: string;
  /** Subscribe with `force`: set while resuming a framework id given on the command line. */
  private failover: boolean;
  private backoffMs: number;
  private retryTimer?: DelayHandle;
  private failoverTimer?: DelayHandle;
  private warnedOfferTooSmall = false;
  private resolveFinished!: (result: RunResult) => void;

  /** Resolves once the run is over: torn down, aborted or interrupted. */
  readonly finished = new Promise<RunResult>(
    (resolve) => (this.resolveFinished = resolve),
  );

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    private readonly actors: ActorRef,
    private readonly tasks: TaskRegistry,
    private readonly reporter: RunReporter,
  ) {
    this.master = Upid.parse(config.master);
    this.frameworkId = config.frameworkId;
    this.failover = config.frameworkId !== undefined;
    this.backoffMs = this.initialBackoff();
  }

  get state(): { phase: SchedulerPhase; frameworkId?: string; pid?: string } {
    return {
      phase: this.phase,
      frameworkId: this.frameworkId,
      pid: this.self?.toString(),
    };
  }

  /** The process is routable: link to the master and subscribe. */
  start(self: Upid): void {
    this.self = self;
    this.logger.log(`Scheduler ${self} subscribing to ${this.master}`);
    this.phase = 'subscribing';
    this.subscribe();
  }

  /**
   * Sends SUBSCRIBE (again) until the master answers. Like the driver, it re-links first: after a
   * lost master the old link is gone, and the master must find us reachable to link back.
   */
  subscribe(): void {
    this.retryTimer = undefined;
    if (this.phase !== 'subscribing' && this.phase !== 'disconnected') {
      return;
    }
    const id = this.frameworkId ? { value: this.frameworkId } : undefined;
    this.actors.link(this.master, { from: this.self });
    this.send({
      type: 'SUBSCRIBE',
      // Set only when re-subscribing, and equal to framework_info.id (master validation).
      ...(id && { framework_id: id }),
      subscribe: {
        framework_info: {
          user: this.config.user,
          name: this.config.frameworkName,
          failover_timeout: this.config.failoverTimeout,
          ...(id && { id }),
        },
        force: this.failover,
      },
    });
    const delay = Math.round(Math.random() * this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoff());
    this.retryTimer = this.actors.delay(delay, this.self!, 'retrySubscribe');
  }

  /** FrameworkRegisteredMessage / FrameworkReregisteredMessage. */
  registered(
    from: Upid,
    message: FrameworkRegisteredMessage,
    reregistered: boolean,
  ): void {
    const kind = reregistered
      ? 'FrameworkReregisteredMessage'
      : 'FrameworkRegisteredMessage';
    if (!this.fromMaster(from, kind)) {
      return;
    }
    if (this.phase !== 'subscribing' && this.phase !== 'disconnected') {
      // The master re-sends the registration to a retrying pid; the first one counts.
      this.logger.debug(`Ignoring ${kind}: ${this.phase}`);
      return;
    }
    const resumed = this.frameworkId !== undefined;
    this.frameworkId = message.framework_id.value;
    this.phase = 'subscribed';
    this.failover = false;
    this.backoffMs = this.initialBackoff();
    this.retryTimer?.cancel();
    this.failoverTimer?.cancel();
    this.retryTimer = this.failoverTimer = undefined;
    this.logger.log(
      `Framework ${this.frameworkId} ${reregistered ? 're-registered' : 'registered'} with ${message.master_info.pid ?? from}`,
    );
    if (resumed) {
      this.reconcile();
    }
  }

  /** ResourceOffersMessage: launch what fits, decline the rest. */
  resourceOffers(from: Upid, message: ResourceOffersMessage): void {
    if (
      !this.fromMaster(from, 'ResourceOffersMessage') ||
      !this.connected('ResourceOffersMessage')
    ) {
      return;
    }
    for (const offer of message.offers ?? []) {
      const launched = this.launchOn(offer);
      if (launched.length > 0) {
        this.send({
          type: 'ACCEPT',
          accept: {
            offer_ids: [offer.id],
            operations: [{ type: 'LAUNCH', launch: { task_infos: launched } }],
            filters: { refuse_seconds: REFUSE_SECONDS_WHILE_PENDING },
          },
        });
      } else {
        const waiting = this.tasks.pending().length > 0;
        if (waiting && !this.warnedOfferTooSmall) {
          // Once: with a task bigger than any agent the run waits until Ctrl-C.
          this.warnedOfferTooSmall = true;
          this.logger.warn(
            `Offers are too small for a task (cpus ${this.config.cpus}, mem ${this.config.mem}); waiting for a bigger one`,
          );
        }
        this.logger.debug(`Declining offer ${offer.id.value}`);
        this.send({
          type: 'DECLINE',
          decline: {
            offer_ids: [offer.id],
            filters: {
              refuse_seconds: waiting
                ? REFUSE_SECONDS_WHILE_PENDING
                : REFUSE_SECONDS_WHEN_DONE,
            },
          },
        });
      }
    }
  }

  /** RescindResourceOfferMessage: this sample answers every offer at once, so only log it. */
  rescindOffer(from: Upid, message: RescindResourceOfferMessage): void {
    if (this.fromMaster(from, 'RescindResourceOfferMessage')) {
      this.logger.debug(`Offer ${message.offer_id.value} rescinded`);
    }
  }

  /**
   * StatusUpdateMessage: record the state, then acknowledge exactly when the C++ driver would:
   * the update has a uuid (updates the master generates have none) and the message names the
   * agent to acknowledge (`pid`). The uuid bytes go back verbatim.
   */
  statusUpdate(from: Upid, message: StatusUpdateMessage): void {
    if (
      !this.fromMaster(from, 'StatusUpdateMessage') ||
      !this.connected('StatusUpdateMessage')
    ) {
      return;
    }
    const { update, pid } = message;
    const status = update.status;
    const state = taskStateName(status.state);
    const transition = this.tasks.applyStatus(
      status.task_id.value,
      state,
      status.message,
      Date.now(),
    );
    if (!transition) {
      this.logger.warn(
        `Ignoring ${state} of ${status.task_id.value}: not a launched task of this run`,
      );
    } else if (transition.changed) {
      this.reporter.progress(transition.task);
      if (transition.requeued) {
        this.relaunch(transition.task);
      }
    }

    if (update.uuid && update.uuid.length > 0 && pid) {
      if (update.slave_id) {
        this.send({
          type: 'ACKNOWLEDGE',
          acknowledge: {
            slave_id: update.slave_id,
            task_id: status.task_id,
            uuid: update.uuid,
          },
        });
      } else {
        this.logger.warn(
          `Cannot acknowledge ${state} of ${status.task_id.value}: no slave_id`,
        );
      }
    } else {
      this.logger.debug(
        `Not acknowledging ${state} of ${status.task_id.value}: ${pid ? 'no uuid' : 'no pid'}`,
      );
    }

    if (this.tasks.allTerminal()) {
      this.teardown();
    }
  }

  lostSlave(from: Upid, message: LostSlaveMessage): void {
    if (this.fromMaster(from, 'LostSlaveMessage')) {
      // The master follows up with TASK_LOST (or UNREACHABLE) updates for the tasks there.
      this.logger.warn(`Agent ${message.slave_id.value} lost`);
    }
  }

  exitedExecutor(from: Upid, message: ExitedExecutorMessage): void {
    if (this.fromMaster(from, 'ExitedExecutorMessage')) {
      this.logger.debug(
        `Executor ${message.executor_id.value} on ${message.slave_id.value} exited with status ${message.status}`,
      );
    }
  }

  /** Agents send framework messages directly, so any sender is fine. */
  executorMessage(from: Upid, message: ExecutorToFrameworkMessage): void {
    this.logger.log(
      `Message from executor ${message.executor_id.value} (${from}): ${Buffer.from(message.data).toString('utf8')}`,
    );
  }

  /** FrameworkErrorMessage: fatal, as in the C++ driver (`abort()`). */
  frameworkError(from: Upid, message: string): void {
    this.abort(`framework error from ${from}: ${message}`);
  }

  /**
   * The link to the master broke: the master is gone or unreachable (or, while subscribing, not
   * up yet). Keep re-subscribing with the framework id; the master keeps the framework for
   * failover_timeout seconds, so give up after that.
   */
  exited(pid: Upid): void {
    if (!pid.equals(this.master)) {
      return;
    }
    if (this.phase === 'subscribed') {
      this.logger.warn(`Disconnected from ${pid}: link closed; re-subscribing`);
      this.phase = 'disconnected';
      if (this.config.failoverTimeout > 0) {
        this.failoverTimer = this.actors.delay(
          this.config.failoverTimeout * 1000,
          this.self!,
          'failoverTimeout',
        );
      }
      this.subscribe();
    }
  }

  failoverTimeoutExpired(): void {
    this.failoverTimer = undefined;
    if (this.phase === 'disconnected') {
      this.abort(
        `not re-registered within the failover timeout (${this.config.failoverTimeout}s)`,
      );
    }
  }

  /** SIGINT or SIGTERM: tear the framework down (killing its tasks) and stop. */
  interrupt(): void {
    this.teardown('interrupted');
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
      launched.push({
        name: task.id,
        task_id: { value: task.id },
        slave_id: offer.slave_id,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: this.config.cpus } },
          { name: 'mem', type: 'SCALAR', scalar: { value: this.config.mem } },
        ],
        command: { value: this.config.command, shell: true },
      });
      this.tasks.markLaunched(
        task,
        offer.slave_id.value,
        offer.hostname,
        Date.now(),
      );
      this.reporter.progress(task);
    }
    return launched;
  }

  /** A retryable loss: back to the queue, and ask for offers again (we may have declined them). */
  private relaunch(task: TaskRecord): void {
    this.tasks.requeue(task);
    this.reporter.progress(task);
    this.send({ type: 'REVIVE', revive: {} });
  }

  /** After a re-registration: ask the master for the latest state of every active task. */
  private reconcile(): void {
    const active = this.tasks.active();
    if (active.length === 0) {
      return;
    }
    this.logger.log(`Reconciling ${active.length} task(s)`);
    this.send({
      type: 'RECONCILE',
      reconcile: {
        tasks: active.map((task) => ({
          task_id: { value: task.id },
          ...(task.agentId && { slave_id: { value: task.agentId } }),
        })),
      },
    });
  }

  private teardown(interruption?: string): void {
    if (this.phase === 'done') {
      return;
    }
    if (this.phase === 'subscribed') {
      this.logger.log(`Tearing down framework ${this.frameworkId}`);
      this.send({ type: 'TEARDOWN' });
    }
    this.finish(interruption);
  }

  private abort(reason: string): void {
    if (this.phase === 'done') {
      return;
    }
    this.logger.error(`Aborting: ${reason}`);
    if (this.phase === 'subscribed' && this.frameworkId) {
      // What the driver's abort() tells a master it is still connected to.
      this.actors.sendProto(
        this.master,
        MesosMessage.DeactivateFramework,
        { framework_id: { value: this.frameworkId } },
        { from: this.self },
      );
    }
    this.finish(reason);
  }

  private finish(abortReason?: string): void {
    this.phase = 'done';
    this.retryTimer?.cancel();
    this.failoverTimer?.cancel();
    this.actors.unlink(this.master, { from: this.self });
    const result: RunResult = {
      frameworkId: this.frameworkId,
      tasks: this.tasks.all(),
      succeeded: !abortReason && this.tasks.allFinished(),
      abortReason,
    };
    this.resolveFinished(result);
  }

  private send(call: Call): void {
    const framework =
      this.frameworkId && call.type !== 'SUBSCRIBE'
        ? { framework_id: { value: this.frameworkId } }
        : {};
    this.actors.sendProto(
      this.master,
      MesosMessage.Call,
      { ...framework, ...call },
      { from: this.self },
    );
  }

  /** The driver ignores master messages from anyone but the master it subscribed to. */
  private fromMaster(from: Upid, kind: string): boolean {
    if (from.equals(this.master)) {
      return true;
    }
    this.logger.warn(
      `Ignoring ${kind} from ${from}: not the master ${this.master}`,
    );
    return false;
  }

  /** Like the driver, drop master messages while disconnected (they are re-sent or reconciled). */
  private connected(kind: string): boolean {
    if (this.phase === 'subscribed') {
      return true;
    }
    this.logger.debug(`Ignoring ${kind}: ${this.phase}`);
    return false;
  }

  private initialBackoff(): number {
    return Math.min(
      this.config.registrationBackoffMs ?? DEFAULT_REGISTRATION_BACKOFF_MS,
      this.maxBackoff(),
    );
  }

  /** Capped at 1 min and, as the driver does, at a tenth of failover_timeout. */
  private maxBackoff(): number {
    const failover = this.config.failoverTimeout * 1000;
    return failover > 0
      ? Math.min(MAX_REGISTRATION_BACKOFF_MS, failover / 10)
      : MAX_REGISTRATION_BACKOFF_MS;
  }
}
