import { Logger } from '@nestjs/common';

import type { ActorRef } from '../../services/actor-ref.service.js';
import type { Upid } from '../../wire/upid.js';
import { MesosCodec } from '../mesos.codec.js';
import { MesosMessage } from '../mesos.constants.js';
import type {
  Call,
  ExecutorID,
  Filters,
  FrameworkInfo,
  KillPolicy,
  MasterInfo,
  Offer_Operation,
  OfferID,
  Request,
  SlaveID,
  StatusUpdate,
  TaskID,
  TaskInfo,
  TaskStatus,
} from '../mesos.types.js';
import type { MesosSchedulerCallbacks } from './interfaces/scheduler.interface.js';
import { PendingReconciliation, type ReconcileTask } from './reconciliation.js';
import { SchedulerCallbacks } from './scheduler-callbacks.js';
import { DriverStatus } from './scheduler.constants.js';
import type { SchedulerProcessConfig } from './scheduler.process.js';

/** An operation's id makes the master send operation status updates the driver cannot take. */
export class OperationIdNotSupportedError extends Error {
  override readonly name = 'OperationIdNotSupportedError';
}

/**
 * The calls of the scheduler driver (libmesos' `SchedulerDriver` methods, as sched.cpp implements
 * them) and the state they share with {@link SchedulerProcess}, which adds the message handlers.
 * The process' parts (its master connection, authentication, status updates) read and write that
 * state too, hence the members public beyond the calls; none of them leaves the package.
 * Every call answers the driver status; calls while disconnected are dropped (logged) as in sched.cpp,
 * except the offer-role bookkeeping that is sent again at the next registration.
 */
export abstract class SchedulerCalls {
  protected readonly logger = new Logger('SchedulerDriver');
  status = DriverStatus.NOT_STARTED;
  self?: Upid;
  master?: MasterInfo;
  masterPid?: Upid;
  connected = false;
  /** A link to `masterPid` is open (or being opened). */
  linked = false;
  /** SUBSCRIBE with `force`: taking over a framework id from a previous scheduler instance. */
  failover = false;
  readonly framework: FrameworkInfo;
  readonly suppressedRoles: Set<string>;
  sendUpdateFrameworkOnConnect = false;
  /** Offer id -> its agent and the agent's pid (from `ResourceOffersMessage.pids`). */
  protected readonly savedOffers = new Map<
    string,
    { slaveId: string; pid: Upid }
  >();
  /** Agent id -> pid, for framework messages sent straight to the agent. */
  protected readonly slavePids = new Map<string, Upid>();
  readonly reconciliations = new Set<PendingReconciliation>();
  /** The user's scheduler (a stop() from one of its callbacks waits for the callback's end). */
  readonly callbacks: SchedulerCallbacks;

  constructor(
    protected readonly actors: ActorRef,
    readonly config: SchedulerProcessConfig,
    scheduler: MesosSchedulerCallbacks,
  ) {
    this.callbacks = new SchedulerCallbacks(scheduler, (failover) =>
      this.stop(failover),
    );
    this.framework = structuredClone(config.framework);
    this.suppressedRoles = new Set(config.suppressedRoles);
  }

  get running(): boolean {
    return this.status === DriverStatus.RUNNING;
  }

  get frameworkId(): string | undefined {
    return this.framework.id?.value || undefined;
  }

  /** TEARDOWN unless `failover` (then the master keeps the framework for `failover_timeout`). */
  stop(failover = false): DriverStatus {
    // An aborted driver has already stopped: libmesos answers ABORTED too.
    if (!this.running) return this.status;
    // Called from a callback: the update it handles is acknowledged first (libmesos' stop is
    // asynchronous too), so the master gets the ACKNOWLEDGE before the TEARDOWN.
    if (this.callbacks.deferStop(failover)) return DriverStatus.STOPPED;
    this.logger.log(
      `Stopping framework ${this.frameworkId ?? '(unregistered)'}${failover ? ' (failover)' : ''}`,
    );
    if (this.connected && !failover) this.sendCall({ type: 'TEARDOWN' });
    this.connected = false;
    this.finish(DriverStatus.STOPPED);
    return this.status;
  }

  /** Stops without tearing down; a connected master deactivates the framework (sched.cpp `abort`). */
  abort(): DriverStatus {
    if (!this.running) return this.status;
    this.logger.log(
      `Aborting framework ${this.frameworkId ?? '(unregistered)'}`,
    );
    if (this.connected && this.frameworkId) {
      this.sendToMaster(MesosMessage.DeactivateFramework, {
        framework_id: this.framework.id,
      });
    }
    this.connected = false;
    this.finish(DriverStatus.ABORTED);
    return this.status;
  }

  launchTasks(
    offerIds: OfferID[],
    tasks: TaskInfo[],
    filters?: Filters,
  ): DriverStatus {
    return this.acceptOffers(
      offerIds,
      [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      filters,
    );
  }

  /**
   * ACCEPT with any offer operations. While disconnected, the tasks of LAUNCH operations are
   * answered at once with TASK_LOST (TASK_DROPPED for PARTITION_AWARE frameworks), as sched.cpp does.
   * @throws OperationIdNotSupportedError when an operation has an id (the driver cannot take their updates)
   */
  acceptOffers(
    offerIds: OfferID[],
    operations: Offer_Operation[],
    filters?: Filters,
  ): DriverStatus {
    if (operations.some((operation) => operation.id)) {
      throw new OperationIdNotSupportedError(
        "An offer operation's 'id' field was set, which the scheduler driver cannot handle (no operation status updates)",
      );
    }
    if (!this.running) return this.status;
    if (!this.connected) {
      this.loseLaunches(operations);
      return this.status;
    }
    for (const offerId of offerIds) {
      const saved = this.savedOffers.get(offerId.value);
      if (!saved) {
        this.logger.warn(
          `Attempting to accept an unknown offer ${offerId.value}`,
        );
        continue;
      }
      for (const operation of operations) {
        for (const task of operation.launch?.task_infos ?? []) {
          if (task.slave_id.value === saved.slaveId) {
            this.slavePids.set(saved.slaveId, saved.pid);
          }
        }
      }
      this.savedOffers.delete(offerId.value);
    }
    this.sendCall({
      type: 'ACCEPT',
      accept: { offer_ids: offerIds, operations, filters: filters ?? {} },
    });
    return this.status;
  }

  declineOffer(offerId: OfferID, filters?: Filters): DriverStatus {
    if (!this.callable('DECLINE')) return this.status;
    this.savedOffers.delete(offerId.value);
    this.sendCall({
      type: 'DECLINE',
      decline: { offer_ids: [offerId], filters: filters ?? {} },
    });
    return this.status;
  }

  /** Removes filters and un-suppresses `roles` (all roles when empty). */
  reviveOffers(roles: string[] = []): DriverStatus {
    if (!this.running) return this.status;
    if (roles.length === 0) this.suppressedRoles.clear();
    for (const role of roles) this.suppressedRoles.delete(role);
    return this.sendOrRemember({ type: 'REVIVE', revive: { roles } });
  }

  /** Stops offers for `roles` (all the framework's roles when empty). */
  suppressOffers(roles: string[] = []): DriverStatus {
    if (!this.running) return this.status;
    const suppressed = roles.length > 0 ? roles : (this.framework.roles ?? []);
    for (const role of suppressed) this.suppressedRoles.add(role);
    return this.sendOrRemember({ type: 'SUPPRESS', suppress: { roles } });
  }

  killTask(
    taskId: TaskID,
    slaveId?: SlaveID,
    killPolicy?: KillPolicy,
  ): DriverStatus {
    if (!this.callable('KILL')) return this.status;
    this.sendCall({
      type: 'KILL',
      kill: {
        task_id: taskId,
        ...(slaveId && { slave_id: slaveId }),
        ...(killPolicy && { kill_policy: killPolicy }),
      },
    });
    return this.status;
  }

  /** With `implicitAcknowledgements: false`: acknowledges a status that carries a uuid. */
  acknowledgeStatusUpdate(status: TaskStatus): DriverStatus {
    if (this.config.implicitAcknowledgements) {
      throw new Error(
        'acknowledgeStatusUpdate() needs implicitAcknowledgements: false (the driver acknowledges itself)',
      );
    }
    if (!this.callable('ACKNOWLEDGE')) return this.status;
    if (!status.uuid?.length || !status.slave_id) {
      this.logger.debug(
        `Nothing to acknowledge for task ${status.task_id.value}: ${status.uuid?.length ? 'no agent id' : 'no uuid'}`,
      );
      return this.status;
    }
    this.sendCall({
      type: 'ACKNOWLEDGE',
      acknowledge: {
        slave_id: status.slave_id,
        task_id: status.task_id,
        uuid: Buffer.from(status.uuid),
      },
    });
    return this.status;
  }

  /** One RECONCILE call (sched.cpp's `reconcileTasks`); empty asks for every task (implicit). */
  reconcileTasks(
    statuses: Array<Pick<TaskStatus, 'task_id' | 'slave_id'>>,
  ): DriverStatus {
    if (!this.callable('RECONCILE')) return this.status;
    this.sendCall({
      type: 'RECONCILE',
      reconcile: {
        tasks: statuses.map(({ task_id, slave_id }) => ({
          task_id,
          ...(slave_id && { slave_id }),
        })),
      },
    });
    return this.status;
  }

  /**
   * Explicit reconciliation retried with back-off (1 s doubling to 1 min, and at each
   * re-registration) until every task has had a status update; resolves with those updates.
   * Rejects when the driver stops first.
   */
  reconcile(tasks: ReconcileTask[]): Promise<TaskStatus[]> {
    const reconciliation = new PendingReconciliation(tasks);
    if (!this.running) {
      reconciliation.fail(new Error(`The driver is ${this.status}`));
    } else if (tasks.length > 0) {
      this.reconciliations.add(reconciliation);
      this.sendReconcile(reconciliation);
    } else {
      reconciliation.answer({ task_id: { value: '' }, state: 'TASK_UNKNOWN' });
    }
    return reconciliation.promise;
  }

  /** Straight to the agent when its pid is known from an accepted offer, else through the master. */
  sendFrameworkMessage(
    executorId: ExecutorID,
    slaveId: SlaveID,
    data: Uint8Array | string,
  ): DriverStatus {
    if (!this.callable('MESSAGE')) return this.status;
    const bytes = Buffer.from(data);
    const agent = this.slavePids.get(slaveId.value);
    if (agent) {
      this.send(agent, MesosMessage.FrameworkToExecutor, {
        slave_id: slaveId,
        framework_id: this.framework.id,
        executor_id: executorId,
        data: bytes,
      });
    } else {
      this.sendCall({
        type: 'MESSAGE',
        message: { slave_id: slaveId, executor_id: executorId, data: bytes },
      });
    }
    return this.status;
  }

  requestResources(requests: Request[]): DriverStatus {
    if (!this.callable('REQUEST')) return this.status;
    this.sendCall({ type: 'REQUEST', request: { requests } });
    return this.status;
  }

  acceptInverseOffers(offerIds: OfferID[], filters?: Filters): DriverStatus {
    if (!this.callable('ACCEPT_INVERSE_OFFERS')) return this.status;
    this.sendCall({
      type: 'ACCEPT_INVERSE_OFFERS',
      accept_inverse_offers: {
        inverse_offer_ids: offerIds,
        filters: filters ?? {},
      },
    });
    return this.status;
  }

  declineInverseOffers(offerIds: OfferID[], filters?: Filters): DriverStatus {
    if (!this.callable('DECLINE_INVERSE_OFFERS')) return this.status;
    this.sendCall({
      type: 'DECLINE_INVERSE_OFFERS',
      decline_inverse_offers: {
        inverse_offer_ids: offerIds,
        filters: filters ?? {},
      },
    });
    return this.status;
  }

  /**
   * Replaces the FrameworkInfo (same id) and, when given, the suppressed roles; sent now, or at
   * the next registration when disconnected.
   */
  updateFramework(
    framework: FrameworkInfo,
    suppressedRoles?: string[],
  ): DriverStatus {
    if (!this.running) return this.status;
    if (!this.frameworkId) {
      this.error(
        'updateFramework() must not be called before registration with the master',
      );
      return this.status;
    }
    if (framework.id?.value !== this.frameworkId) {
      this.error(
        `The FrameworkInfo.id given to updateFramework() (${framework.id?.value ?? 'none'}) must be the driver's (${this.frameworkId})`,
      );
      return this.status;
    }
    // Replaced, not merged, as sched.cpp (`framework = framework_`): a field left out is cleared.
    for (const key of Object.keys(this.framework)) {
      delete (this.framework as unknown as Record<string, unknown>)[key];
    }
    Object.assign(this.framework, structuredClone(framework));
    if (suppressedRoles) {
      this.suppressedRoles.clear();
      for (const role of suppressedRoles) this.suppressedRoles.add(role);
    }
    if (this.connected) this.sendUpdateFramework();
    else this.sendUpdateFrameworkOnConnect = true;
    return this.status;
  }

  sendUpdateFramework(): void {
    this.sendUpdateFrameworkOnConnect = false;
    this.sendCall({
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: this.framework,
        suppressed_roles: [...this.suppressedRoles],
      },
    });
  }

  /** A Call to the leading master, with the framework id. */
  sendCall(call: Call): void {
    this.sendToMaster(MesosMessage.Call, {
      ...call,
      ...(call.type !== 'SUBSCRIBE' && { framework_id: this.framework.id }),
    });
  }

  sendToMaster(name: string, message: object): void {
    if (this.masterPid) this.send(this.masterPid, name, message);
  }

  protected send(to: Upid, name: string, message: object): void {
    this.actors.send(to, name, Buffer.from(MesosCodec.encode(name, message)), {
      from: this,
    });
  }

  protected finish(status: DriverStatus): void {
    this.status = status;
    for (const reconciliation of this.reconciliations) {
      reconciliation.fail(new Error(`The driver is ${status}`));
    }
    this.reconciliations.clear();
  }

  protected abstract statusUpdate(update: StatusUpdate, pid?: string): void;
  abstract error(message: string): void;
  protected abstract sendReconcile(reconciliation: PendingReconciliation): void;

  /** Running and connected; otherwise the call is dropped, as sched.cpp does. */
  private callable(type: string): boolean {
    if (!this.running) return false;
    if (this.connected) return true;
    this.logger.debug(`Ignoring ${type}: not connected to a master`);
    return false;
  }

  private sendOrRemember(call: Call): DriverStatus {
    if (this.connected) {
      this.sendCall(call);
    } else {
      // The set of suppressed roles goes with the next SUBSCRIBE/UPDATE_FRAMEWORK.
      this.sendUpdateFrameworkOnConnect = Boolean(this.frameworkId);
    }
    return this.status;
  }

  /** sched.cpp: launches while disconnected fail at once with a master-generated update. */
  private loseLaunches(operations: Offer_Operation[]): void {
    const partitionAware = (this.framework.capabilities ?? []).some(
      (capability) => capability.type === 'PARTITION_AWARE',
    );
    for (const operation of operations) {
      if (operation.type !== 'LAUNCH') continue;
      for (const task of operation.launch?.task_infos ?? []) {
        this.statusUpdate({
          framework_id: this.framework.id ?? { value: '' },
          status: {
            task_id: task.task_id,
            state: partitionAware ? 'TASK_DROPPED' : 'TASK_LOST',
            source: 'SOURCE_MASTER',
            reason: 'REASON_MASTER_DISCONNECTED',
            message: 'Master disconnected',
            timestamp: Date.now() / 1000,
          },
          timestamp: Date.now() / 1000,
        });
      }
    }
  }
}
