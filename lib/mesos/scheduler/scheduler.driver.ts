import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { filter, take, type Subscription } from 'rxjs';

import { LibprocessStatus } from '../../events/libprocess.events.js';
import { LibprocessServer } from '../../server/server-libprocess.js';
import { ActorRef } from '../../services/actor-ref.service.js';
import type { AuthenticateeCredential } from '../authentication/authenticatee.process.js';
import { createMasterDetector } from '../detector/create-master-detector.js';
import type {
  ExecutorID,
  Filters,
  FrameworkInfo,
  KillPolicy,
  MasterInfo,
  Offer_Operation,
  OfferID,
  Request,
  SlaveID,
  TaskID,
  TaskInfo,
  TaskStatus,
} from '../mesos.types.js';
import type { SchedulerDriverOptions } from './interfaces/scheduler-driver-options.interface.js';
import type { MesosSchedulerCallbacks } from './interfaces/scheduler.interface.js';
import type { ReconcileTask } from './reconciliation.js';
import {
  DEFAULT_REGISTRATION_BACKOFF_MS,
  DriverStatus,
  MESOS_SCHEDULER_METADATA,
} from './scheduler.constants.js';
import { SCHEDULER_DRIVER_OPTIONS } from './scheduler-module.definition.js';
import { SchedulerProcess } from './scheduler.process.js';

/** Driver calls before `start()` or after the end have no effect and answer the status. */
type ProcessCall = (process: SchedulerProcess) => DriverStatus;

/**
 * The Mesos scheduler driver (libmesos' `MesosSchedulerDriver`) as an injectable: `start`,
 * `stop`, `abort`, `join`, and every call of the C++ driver. The callbacks go to the
 * `@MesosScheduler()` provider. It starts by itself once the libprocess node listens
 * (`autoStart`), as the `scheduler-<uuid>` process of that node.
 *
 * On application shutdown a running driver stops with failover (no TEARDOWN): the master keeps the
 * framework for its `failover_timeout`, as when a C++ scheduler exits without `stop()`. Call
 * `stop()` first to tear the framework down.
 * @publicApi
 */
@Injectable()
export class SchedulerDriver
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('SchedulerDriver');
  private process?: SchedulerProcess;
  private finalStatus?: DriverStatus;
  private listening?: Subscription;
  private scheduler: MesosSchedulerCallbacks = {};
  private resolveJoin!: (status: DriverStatus) => void;
  private readonly joined = new Promise<DriverStatus>(
    (resolve) => (this.resolveJoin = resolve),
  );

  constructor(
    @Inject(SCHEDULER_DRIVER_OPTIONS)
    private readonly options: SchedulerDriverOptions,
    private readonly actors: ActorRef,
    private readonly server: LibprocessServer,
    private readonly discovery: DiscoveryService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler = this.findScheduler();
    if (this.options.autoStart === false) return;
    this.listening = this.server.status
      .pipe(
        filter((status) => status === LibprocessStatus.LISTENING),
        take(1),
      )
      .subscribe(() => this.start());
  }

  onApplicationShutdown(): void {
    this.listening?.unsubscribe();
    if (this.process?.running) this.process.stop(true);
  }

  /** The driver's status (libmesos' `Status`). */
  get status(): DriverStatus {
    return this.finalStatus ?? this.process?.status ?? DriverStatus.NOT_STARTED;
  }

  /** Subscribed to the leading master right now. */
  get connected(): boolean {
    return this.process?.connected ?? false;
  }

  /** The framework id once registered (or the one given to resume). */
  get frameworkId(): string | undefined {
    return this.process?.frameworkId;
  }

  /** The leading master the driver follows. */
  get master(): MasterInfo | undefined {
    return this.process?.master;
  }

  /**
   * Starts detecting the master and subscribing (the node must listen). Answers RUNNING, or the
   * status that prevents it.
   * @throws InvalidMasterError for a `master` the driver cannot read; Error for an unreadable `secretFile`
   */
  start(): DriverStatus {
    if (this.status !== DriverStatus.NOT_STARTED) return this.status;
    const detector = createMasterDetector(this.options.master);
    const credential = this.readCredential();
    const process = new SchedulerProcess(
      this.actors,
      {
        framework: this.frameworkInfo(credential),
        credential,
        implicitAcknowledgements: this.options.implicitAcknowledgements ?? true,
        registrationBackoffMs:
          this.options.registrationBackoffMs ?? DEFAULT_REGISTRATION_BACKOFF_MS,
        failoverDeadlineMs: this.options.failoverDeadlineMs,
        suppressedRoles: [...(this.options.suppressedRoles ?? [])],
      },
      this.scheduler,
      detector,
      (status) => this.finished(process, status),
    );
    this.process = process;
    process.status = DriverStatus.RUNNING;
    this.actors.spawn(process, `scheduler-${randomUUID()}`);
    return this.status;
  }

  /**
   * Stops the driver: TEARDOWN (the master kills the tasks and forgets the framework), or with
   * `failover` only disconnects (the framework waits `failover_timeout` for a new scheduler).
   * The calls are queued on the master's connection; closing the application flushes them.
   */
  stop(failover = false): DriverStatus {
    return this.call((process) => process.stop(failover));
  }

  /** Stops without tearing down; the master deactivates the framework (no offers) until failover. */
  abort(): DriverStatus {
    return this.call((process) => process.abort());
  }

  /** Resolves with the final status once the driver is stopped or aborted. */
  join(): Promise<DriverStatus> {
    return this.joined;
  }

  /** `start()` then `join()`. */
  run(): Promise<DriverStatus> {
    this.start();
    return this.join();
  }

  launchTasks(
    offerIds: OfferID[],
    tasks: TaskInfo[],
    filters?: Filters,
  ): DriverStatus {
    return this.call((process) =>
      process.launchTasks(offerIds, tasks, filters),
    );
  }

  /** ACCEPT with any operations the protos carry (LAUNCH, LAUNCH_GROUP, RESERVE, CREATE, ...). */
  acceptOffers(
    offerIds: OfferID[],
    operations: Offer_Operation[],
    filters?: Filters,
  ): DriverStatus {
    return this.call((process) =>
      process.acceptOffers(offerIds, operations, filters),
    );
  }

  declineOffer(offerId: OfferID, filters?: Filters): DriverStatus {
    return this.call((process) => process.declineOffer(offerId, filters));
  }

  reviveOffers(roles?: string[]): DriverStatus {
    return this.call((process) => process.reviveOffers(roles));
  }

  suppressOffers(roles?: string[]): DriverStatus {
    return this.call((process) => process.suppressOffers(roles));
  }

  killTask(
    taskId: TaskID,
    slaveId?: SlaveID,
    killPolicy?: KillPolicy,
  ): DriverStatus {
    return this.call((process) =>
      process.killTask(taskId, slaveId, killPolicy),
    );
  }

  /** Only with `implicitAcknowledgements: false`. */
  acknowledgeStatusUpdate(status: TaskStatus): DriverStatus {
    return this.call((process) => process.acknowledgeStatusUpdate(status));
  }

  /** One RECONCILE call, as libmesos; an empty list asks for every task the master knows. */
  reconcileTasks(
    statuses: Array<Pick<TaskStatus, 'task_id' | 'slave_id'>>,
  ): DriverStatus {
    return this.call((process) => process.reconcileTasks(statuses));
  }

  /**
   * Explicit reconciliation retried with back-off until every task has had a status update
   * (which also reach `statusUpdate`); resolves with them. Rejects if the driver ends first.
   */
  reconcile(tasks: ReconcileTask[]): Promise<TaskStatus[]> {
    if (!this.process) {
      return Promise.reject(new Error(`The driver is ${this.status}`));
    }
    return this.process.reconcile(tasks);
  }

  sendFrameworkMessage(
    executorId: ExecutorID,
    slaveId: SlaveID,
    data: Uint8Array | string,
  ): DriverStatus {
    return this.call((process) =>
      process.sendFrameworkMessage(executorId, slaveId, data),
    );
  }

  requestResources(requests: Request[]): DriverStatus {
    return this.call((process) => process.requestResources(requests));
  }

  acceptInverseOffers(offerIds: OfferID[], filters?: Filters): DriverStatus {
    return this.call((process) =>
      process.acceptInverseOffers(offerIds, filters),
    );
  }

  declineInverseOffers(offerIds: OfferID[], filters?: Filters): DriverStatus {
    return this.call((process) =>
      process.declineInverseOffers(offerIds, filters),
    );
  }

  /**
   * Replaces the FrameworkInfo (same id; `user`, `hostname` and the credential's `principal`
   * filled when missing, as at start) and, when given, the suppressed roles (sched.cpp). Sent as
   * UPDATE_FRAMEWORK now, or at the next registration while disconnected. A master that refuses
   * the update (e.g. a changed `user` or `principal`) answers with an error: the `error` callback.
   */
  updateFramework(
    framework: FrameworkInfo,
    suppressedRoles?: string[],
  ): DriverStatus {
    return this.call((process) =>
      process.updateFramework(
        this.withDefaults(framework, this.options.credential?.principal),
        suppressedRoles,
      ),
    );
  }

  private call(fn: ProcessCall): DriverStatus {
    return this.process ? fn(this.process) : this.status;
  }

  private finished(process: SchedulerProcess, status: DriverStatus): void {
    this.finalStatus = status;
    this.resolveJoin(status);
    // After the current handler: what it sent is already queued on the wire.
    setImmediate(() => {
      try {
        this.actors.terminate(process);
      } catch {
        // The node is shutting down.
      }
    });
  }

  private frameworkInfo(credential?: AuthenticateeCredential): FrameworkInfo {
    return this.withDefaults(
      this.options.framework as FrameworkInfo,
      credential?.principal,
    );
  }

  /**
   * libmesos fills `user` and `hostname` (`fillMissingFrameworkInfoFields`); the principal comes
   * from the credential.
   */
  private withDefaults(
    input: FrameworkInfo,
    principal: string | undefined,
  ): FrameworkInfo {
    const framework = structuredClone(input);
    framework.user ||= userInfo().username;
    framework.hostname ||=
      process.env.LIBPROCESS_ADVERTISE_HOSTNAME ?? hostname();
    if (principal !== undefined) framework.principal ||= principal;
    return framework;
  }

  private readCredential(): AuthenticateeCredential | undefined {
    const credential = this.options.credential;
    if (!credential) return undefined;
    if (credential.secret !== undefined) {
      return {
        principal: credential.principal,
        secret: Buffer.from(credential.secret),
      };
    }
    if (credential.secretFile === undefined) {
      throw new Error(
        `The credential of principal '${credential.principal}' needs a secret or a secretFile`,
      );
    }
    // Like mesos' credential files: the secret is the content, less the trailing newline.
    const secret = readFileSync(credential.secretFile, 'utf8').replace(
      /\r?\n$/,
      '',
    );
    return { principal: credential.principal, secret: Buffer.from(secret) };
  }

  private findScheduler(): MesosSchedulerCallbacks {
    const wanted = this.options.scheduler;
    const providers = this.discovery
      .getProviders()
      .filter(
        ({ instance, metatype }) =>
          instance &&
          metatype &&
          (wanted
            ? metatype === wanted
            : Reflect.getMetadata(MESOS_SCHEDULER_METADATA, metatype) === true),
      );
    if (providers.length === 0) {
      this.logger.warn(
        wanted
          ? `The scheduler ${wanted.name} is not a provider of the application`
          : 'No @MesosScheduler() provider: the driver runs without callbacks',
      );
      return {};
    }
    if (providers.length > 1) {
      this.logger.warn(
        `Several @MesosScheduler() providers (${providers.map((p) => p.name).join(', ')}); using ${providers[0].name}`,
      );
    }
    return providers[0].instance as MesosSchedulerCallbacks;
  }
}
