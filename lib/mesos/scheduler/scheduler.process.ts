import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import { LibprocessContext } from '../../ctx-host/libprocess.context.js';
import { Mailbox } from '../../decorators/mailbox.decorator.js';
import { OnExited } from '../../decorators/on-exited.decorator.js';
import { OnInitialize } from '../../decorators/on-initialize.decorator.js';
import type { ActorRef } from '../../services/actor-ref.service.js';
import { Upid } from '../../wire/upid.js';
import type {
  AuthenticateeCredential,
  AuthenticateeProcess,
  AuthenticationOutcome,
} from '../authentication/authenticatee.process.js';
import type { MasterDetector } from '../detector/master-detector.interface.js';
import { MesosCodec } from '../mesos.codec.js';
import { MesosMessage } from '../mesos.constants.js';
import type {
  ExecutorToFrameworkMessage,
  ExitedExecutorMessage,
  FrameworkErrorMessage,
  FrameworkInfo,
  InverseOffersMessage,
  LostSlaveMessage,
  MasterInfo,
  RescindInverseOfferMessage,
  RescindResourceOfferMessage,
  ResourceOffersMessage,
  StatusUpdate,
  StatusUpdateMessage,
} from '../mesos.types.js';
import type { MesosSchedulerCallbacks } from './interfaces/scheduler.interface.js';
import { MasterConnection } from './master-connection.js';
import type { PendingReconciliation } from './reconciliation.js';
import { SchedulerAuthentication } from './scheduler-authentication.js';
import { SchedulerStatusUpdates } from './scheduler-status-updates.js';
import { DriverStatus } from './scheduler.constants.js';
import { SchedulerCalls } from './scheduler.calls.js';

/** What the process needs from the driver that spawns it. */
export interface SchedulerProcessConfig {
  framework: FrameworkInfo;
  credential?: AuthenticateeCredential;
  implicitAcknowledgements: boolean;
  registrationBackoffMs: number;
  failoverDeadlineMs?: number;
  suppressedRoles: string[];
}

/**
 * The libprocess side of the scheduler driver (libmesos' `SchedulerProcess`, src/sched/sched.cpp):
 * finds the leading master, authenticates, subscribes with back-off, turns the master's messages
 * into callbacks and keeps going through master failovers. The calls live in
 * {@link SchedulerCalls}; this class adds the message handlers and owns one part per role:
 * {@link MasterConnection} (detection, link, subscription, deadline),
 * {@link SchedulerAuthentication} (with a credential) and {@link SchedulerStatusUpdates}
 * (updates, acknowledgements, reconciliation retries).
 *
 * Everything runs on this process' queue: handlers, `@OnExited`, and the typed timers and
 * detection results that `ActorRef.delay`/`dispatch` bring back to its methods below.
 */
export class SchedulerProcess extends SchedulerCalls {
  protected override readonly logger = new Logger('SchedulerDriver');
  readonly connection: MasterConnection;
  /** Only with a credential. */
  readonly authentication?: SchedulerAuthentication;
  readonly statusUpdates: SchedulerStatusUpdates;

  constructor(
    actors: ActorRef,
    config: SchedulerProcessConfig,
    scheduler: MesosSchedulerCallbacks,
    private readonly detector: MasterDetector,
    private readonly onDone: (status: DriverStatus) => void,
  ) {
    super(actors, config, scheduler);
    this.failover = Boolean(config.framework.id?.value);
    this.connection = new MasterConnection(this, actors, detector);
    if (config.credential) {
      this.authentication = new SchedulerAuthentication(
        this,
        actors,
        config.credential,
      );
    }
    this.statusUpdates = new SchedulerStatusUpdates(this, actors);
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.status = DriverStatus.RUNNING;
    this.logger.log(
      `Scheduler ${self} of framework '${this.framework.name}' detecting the master at ${this.detector.description}`,
    );
    this.connection.start();
  }

  /** The link to the master broke: it died, restarted, or another master leads. Detect again. */
  @OnExited()
  exited(pid: Upid): void {
    this.connection.exited(pid);
  }

  // ---- timer and dispatch targets of the parts -------------------------------------------

  detect(): void {
    this.connection.detect();
  }

  detected(leader: MasterInfo | undefined, generation: number): void {
    this.connection.detected(leader, generation);
  }

  doReliableRegistration(maxBackoffMs: number): void {
    this.connection.doReliableRegistration(maxBackoffMs);
  }

  deadlinePassed(): void {
    this.connection.deadlinePassed();
  }

  authenticated(
    outcome: AuthenticationOutcome,
    process: AuthenticateeProcess,
  ): void {
    this.authentication?.finished(outcome, process);
  }

  authenticationTimedOut(pid: Upid): void {
    this.authentication?.timedOut(pid);
  }

  authenticateAgain(master: Upid): void {
    this.authentication?.again(master);
  }

  retryReconciliation(reconciliation: PendingReconciliation): void {
    this.statusUpdates.retry(reconciliation);
  }

  // ---- messages --------------------------------------------------------------------------

  @Mailbox(MesosMessage.FrameworkRegistered)
  frameworkRegistered(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.connection.registered(ctx.from, body, false);
  }

  @Mailbox(MesosMessage.FrameworkReregistered)
  frameworkReregistered(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.connection.registered(ctx.from, body, true);
  }

  @Mailbox(MesosMessage.ResourceOffers)
  resourceOffers(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<ResourceOffersMessage>(ctx, body);
    if (!message?.offers?.length) return;
    const pids = message.pids ?? [];
    message.offers.forEach((offer, i) => {
      try {
        this.savedOffers.set(offer.id.value, {
          slaveId: offer.slave_id.value,
          pid: Upid.parse(pids[i]),
        });
      } catch {
        this.logger.debug(`Offer ${offer.id.value} carries no agent pid`);
      }
    });
    this.callbacks.invoke('resourceOffers', message.offers);
  }

  @Mailbox(MesosMessage.InverseOffers)
  inverseOffers(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<InverseOffersMessage>(ctx, body);
    if (message?.inverse_offers?.length) {
      this.callbacks.invoke('inverseOffers', message.inverse_offers);
    }
  }

  @Mailbox(MesosMessage.RescindResourceOffer)
  rescindOffer(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<RescindResourceOfferMessage>(ctx, body);
    if (!message) return;
    this.savedOffers.delete(message.offer_id.value);
    this.callbacks.invoke('offerRescinded', message.offer_id);
  }

  @Mailbox(MesosMessage.RescindInverseOffer)
  rescindInverseOffer(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const message = this.fromMaster<RescindInverseOfferMessage>(ctx, body);
    if (message)
      this.callbacks.invoke('inverseOfferRescinded', message.inverse_offer_id);
  }

  @Mailbox(MesosMessage.StatusUpdate)
  statusUpdateMessage(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const message = this.fromMaster<StatusUpdateMessage>(ctx, body);
    if (message) this.statusUpdate(message.update, message.pid);
  }

  @Mailbox(MesosMessage.LostSlave)
  lostSlave(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<LostSlaveMessage>(ctx, body);
    if (!message) return;
    this.slavePids.delete(message.slave_id.value);
    this.callbacks.invoke('slaveLost', message.slave_id);
  }

  @Mailbox(MesosMessage.ExitedExecutor)
  exitedExecutor(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<ExitedExecutorMessage>(ctx, body);
    if (message) {
      this.callbacks.invoke(
        'executorLost',
        message.executor_id,
        message.slave_id,
        message.status,
      );
    }
  }

  /** Agents send these straight to the scheduler (the master only relays for HTTP frameworks). */
  @Mailbox(MesosMessage.ExecutorToFramework)
  executorToFramework(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.running) return;
    const message = this.decode<ExecutorToFrameworkMessage>(ctx, body);
    if (message) {
      this.callbacks.invoke(
        'frameworkMessage',
        message.executor_id,
        message.slave_id,
        Buffer.from(message.data),
      );
    }
  }

  /** Fatal, as in sched.cpp: abort and report the master's text. */
  @Mailbox(MesosMessage.FrameworkError)
  frameworkError(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (!this.running) return;
    const message = this.decode<FrameworkErrorMessage>(ctx, body);
    if (message) this.error(message.message);
  }

  /** See {@link SchedulerStatusUpdates.receive}. */
  protected override statusUpdate(update: StatusUpdate, pid?: string): void {
    this.statusUpdates.receive(update, pid);
  }

  protected override sendReconcile(
    reconciliation: PendingReconciliation,
  ): void {
    this.statusUpdates.sendReconcile(reconciliation);
  }

  /** Fatal error: abort (telling a connected master) and report it. */
  override error(message: string): void {
    if (!this.running) return;
    this.logger.error(`Aborting: ${message}`);
    this.abort();
    this.callbacks.invoke('error', message);
  }

  /** The driver stopped or aborted: nothing more runs. */
  protected override finish(status: DriverStatus): void {
    super.finish(status);
    this.connection.close();
    this.onDone(status);
  }

  /** Decodes a message from the leading master while connected; anything else is dropped. */
  private fromMaster<T>(ctx: LibprocessContext, body: Buffer): T | undefined {
    if (!this.running) return undefined;
    if (!this.connected) {
      this.logger.debug(`Ignoring ${ctx.name}: not connected`);
      return undefined;
    }
    if (!this.masterPid?.equals(ctx.from)) {
      this.logger.debug(
        `Ignoring ${ctx.name} from ${ctx.from}: the leading master is ${this.masterPid}`,
      );
      return undefined;
    }
    return this.decode<T>(ctx, body);
  }

  private decode<T>(ctx: LibprocessContext, body: Buffer): T | undefined {
    try {
      return MesosCodec.decode<T>(ctx.name, body);
    } catch (error) {
      this.logger.warn(
        `Dropping malformed ${ctx.name} from ${ctx.from}: ${(error as Error).message}`,
      );
      return undefined;
    }
  }
}
