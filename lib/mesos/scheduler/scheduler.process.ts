import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import { LibprocessContext } from '../../ctx-host/libprocess.context.js';
import { Mailbox } from '../../decorators/mailbox.decorator.js';
import { OnExited } from '../../decorators/on-exited.decorator.js';
import { OnInitialize } from '../../decorators/on-initialize.decorator.js';
import type { DelayHandle } from '../../interfaces/actor-ref-options.interface.js';
import type { ActorRef } from '../../services/actor-ref.service.js';
import { Upid } from '../../wire/upid.js';
import {
  type AuthenticateeCredential,
  type AuthenticationOutcome,
  AuthenticateeProcess,
} from '../authentication/authenticatee.process.js';
import type { MasterDetector } from '../detector/master-detector.interface.js';
import { masterPid } from '../detector/master-info.js';
import { MesosCodec } from '../mesos.codec.js';
import { MesosMessage } from '../mesos.constants.js';
import type {
  Call,
  ExecutorToFrameworkMessage,
  ExitedExecutorMessage,
  FrameworkErrorMessage,
  FrameworkInfo,
  FrameworkRegisteredMessage,
  InverseOffersMessage,
  LostSlaveMessage,
  MasterInfo,
  RescindInverseOfferMessage,
  RescindResourceOfferMessage,
  ResourceOffersMessage,
  StatusUpdate,
  StatusUpdateMessage,
  TaskStatus,
} from '../mesos.types.js';
import type { MesosSchedulerCallbacks } from './interfaces/scheduler.interface.js';
import { PendingReconciliation } from './reconciliation.js';
import {
  AUTHENTICATION_BACKOFF_FACTOR_MS,
  AUTHENTICATION_TIMEOUT_MAX_MS,
  AUTHENTICATION_TIMEOUT_MIN_MS,
  DriverStatus,
  REGISTRATION_RETRY_INTERVAL_MAX_MS,
} from './scheduler.constants.js';
import { SchedulerCalls } from './scheduler.calls.js';

/** The first authentication timeout range: [min, min + factor * 2] (sched.cpp). */
const INITIAL_AUTHENTICATION_MAX_MS = Math.min(
  AUTHENTICATION_TIMEOUT_MIN_MS + AUTHENTICATION_BACKOFF_FACTOR_MS * 2,
  AUTHENTICATION_TIMEOUT_MAX_MS,
);

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
 * {@link SchedulerCalls}; this class adds the message handlers and the connection's life.
 *
 * Everything runs on this process' queue: handlers, `@OnExited`, and the typed timers and
 * detection results that `ActorRef.delay`/`dispatch` bring back to it.
 */
export class SchedulerProcess extends SchedulerCalls {
  protected override readonly logger = new Logger('SchedulerDriver');
  /** Bumped at every detection, so that a late answer of an older one is ignored. */
  private detection = 0;
  private detectionTimer?: DelayHandle;
  private detectBackoffMs: number;
  private registrationTimer?: DelayHandle;
  private registrationAttempts = 0;
  private deadlineTimer?: DelayHandle;
  private isAuthenticated = false;
  private authenticatee?: { pid: Upid; timer: DelayHandle };
  private authenticationRetry?: DelayHandle;
  private authenticationMaxMs = INITIAL_AUTHENTICATION_MAX_MS;

  constructor(
    actors: ActorRef,
    config: SchedulerProcessConfig,
    scheduler: MesosSchedulerCallbacks,
    private readonly detector: MasterDetector,
    private readonly onDone: (status: DriverStatus) => void,
  ) {
    super(actors, config, scheduler);
    this.detectBackoffMs = config.registrationBackoffMs;
    this.failover = Boolean(config.framework.id?.value);
  }

  /** `this` as its class, for the typed method names of `ActorRef.delay`/`dispatch`. */
  private get typed(): SchedulerProcess {
    return this;
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.status = DriverStatus.RUNNING;
    this.logger.log(
      `Scheduler ${self} of framework '${this.framework.name}' detecting the master at ${this.detector.description}`,
    );
    this.detector.onChange((leader) => {
      void this.actors
        .dispatch(this.typed, 'detected', leader, ++this.detection)
        .catch(() => undefined);
    });
    this.armDeadline();
    this.detect();
  }

  /** Asks the detector; the answer comes back on this queue. */
  detect(): void {
    this.detectionTimer = undefined;
    if (!this.running) return;
    const generation = ++this.detection;
    void this.detector
      .detect()
      .then((leader) =>
        this.actors
          .dispatch(this.typed, 'detected', leader, generation)
          .catch(() => undefined),
      );
  }

  /**
   * A (possibly new) leading master, or none. As sched.cpp's `detected()`: a connected driver
   * reports `disconnected`, links to the new master and authenticates or subscribes.
   */
  detected(leader: MasterInfo | undefined, generation: number): void {
    if (!this.running || generation !== this.detection) return;
    const pid = leader ? masterPid(leader) : undefined;
    if (pid && this.masterPid?.equals(pid) && (this.connected || this.linked)) {
      return; // The same master, still reachable: registration is under way.
    }
    if (this.connected) {
      this.connected = false;
      this.logger.warn(`Disconnected from master ${this.masterPid}`);
      this.invoke('disconnected');
      this.armDeadline();
    }
    this.dropAuthenticatee();
    this.registrationTimer?.cancel();
    if (this.masterPid && (!pid || !this.masterPid.equals(pid))) {
      this.actors.unlink(this.masterPid, { from: this });
    }
    this.master = leader;
    this.masterPid = pid;
    this.linked = false;
    if (!pid) {
      this.logger.log(
        `No leading master at ${this.detector.description}; detecting again`,
      );
      this.scheduleDetection();
      return;
    }
    this.logger.log(`New master detected at ${pid}`);
    this.linked = true;
    this.actors.link(pid, { from: this });
    if (this.config.credential) {
      this.isAuthenticated = false;
      // A new master starts from the first range again, as sched.cpp's `detected()`.
      this.authenticationMaxMs = INITIAL_AUTHENTICATION_MAX_MS;
      this.authenticate();
    } else {
      this.registrationAttempts = 0;
      this.doReliableRegistration(this.config.registrationBackoffMs);
    }
  }

  /** The link to the master broke: it died, restarted, or another master leads. Detect again. */
  @OnExited()
  exited(pid: Upid): void {
    if (!this.running || !this.masterPid?.equals(pid)) return;
    this.linked = false;
    if (this.connected) {
      this.connected = false;
      this.logger.warn(
        `Master ${pid} disconnected; detecting the leader again`,
      );
      this.invoke('disconnected');
      this.armDeadline();
    }
    this.dropAuthenticatee();
    this.registrationTimer?.cancel();
    this.scheduleDetection();
  }

  /** sched.cpp's `doReliableRegistration`: SUBSCRIBE until (re-)registered, with random back-off. */
  doReliableRegistration(maxBackoffMs: number): void {
    this.registrationTimer = undefined;
    if (!this.running || this.connected || !this.masterPid) return;
    if (this.config.credential && !this.isAuthenticated) return;
    // A master that stopped leading while we subscribe drops our calls without a word: past the
    // first retries, ask the detector again (cheap, and it follows a redirect to the new leader).
    if (++this.registrationAttempts > 2) this.detect();
    const id = this.framework.id?.value ? this.framework.id : undefined;
    const call: Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: this.framework,
        suppressed_roles: [...this.suppressedRoles],
        // `force` only with a framework id: it makes this pid take over the framework.
        ...(id && { force: this.failover }),
      },
      ...(id && { framework_id: id }),
    };
    this.logger.debug(`Sending SUBSCRIBE to ${this.masterPid}`);
    this.sendToMaster(MesosMessage.Call, call);
    let backoff = Math.min(maxBackoffMs, REGISTRATION_RETRY_INTERVAL_MAX_MS);
    const failoverMs = (this.framework.failover_timeout ?? 0) * 1000;
    if (failoverMs > 0) backoff = Math.min(backoff, failoverMs / 10);
    this.registrationTimer = this.actors.delay(
      Math.random() * backoff,
      this.typed,
      'doReliableRegistration',
      backoff * 2,
    );
  }

  @Mailbox(MesosMessage.FrameworkRegistered)
  frameworkRegistered(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.onRegistered(ctx.from, body, false);
  }

  @Mailbox(MesosMessage.FrameworkReregistered)
  frameworkReregistered(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.onRegistered(ctx.from, body, true);
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
    this.invoke('resourceOffers', message.offers);
  }

  @Mailbox(MesosMessage.InverseOffers)
  inverseOffers(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<InverseOffersMessage>(ctx, body);
    if (message?.inverse_offers?.length) {
      this.invoke('inverseOffers', message.inverse_offers);
    }
  }

  @Mailbox(MesosMessage.RescindResourceOffer)
  rescindOffer(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<RescindResourceOfferMessage>(ctx, body);
    if (!message) return;
    this.savedOffers.delete(message.offer_id.value);
    this.invoke('offerRescinded', message.offer_id);
  }

  @Mailbox(MesosMessage.RescindInverseOffer)
  rescindInverseOffer(
    @Payload() body: Buffer,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const message = this.fromMaster<RescindInverseOfferMessage>(ctx, body);
    if (message) this.invoke('inverseOfferRescinded', message.inverse_offer_id);
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
    this.invoke('slaveLost', message.slave_id);
  }

  @Mailbox(MesosMessage.ExitedExecutor)
  exitedExecutor(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    const message = this.fromMaster<ExitedExecutorMessage>(ctx, body);
    if (message) {
      this.invoke(
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
      this.invoke(
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

  /** A master generates an update locally (no uuid) when asked to launch while disconnected. */
  protected override statusUpdate(update: StatusUpdate, pid?: string): void {
    if (!this.running) return;
    const acknowledgeable = update.uuid !== undefined && update.uuid.length > 0;
    const status: TaskStatus = { ...update.status };
    if (acknowledgeable && pid) status.uuid = Buffer.from(update.uuid!);
    else delete status.uuid;
    if (!status.slave_id && update.slave_id) status.slave_id = update.slave_id;
    for (const reconciliation of this.reconciliations) {
      if (reconciliation.answer(status))
        this.reconciliations.delete(reconciliation);
    }
    // Held like a callback until acknowledged: a stop() it asks for comes after the ACKNOWLEDGE.
    this.callbackDepth++;
    try {
      this.acknowledgeAfter(
        this.invoke('statusUpdate', status),
        update,
        acknowledgeable,
      );
    } finally {
      this.callbackDepth--;
      this.stopIfAsked();
    }
  }

  private acknowledgeAfter(
    result: boolean | Promise<unknown>,
    update: StatusUpdate,
    acknowledgeable: boolean,
  ): void {
    if (!this.config.implicitAcknowledgements || !acknowledgeable) return;
    const status = update.status;
    // sched.cpp acknowledges whenever the update has a uuid (master-generated ones have none).
    const acknowledge = () => {
      if (!this.running || !this.connected) return;
      if (!update.slave_id) {
        this.logger.warn(
          `Cannot acknowledge ${status.state} of task ${status.task_id.value}: no agent id`,
        );
        return;
      }
      this.sendCall({
        type: 'ACKNOWLEDGE',
        acknowledge: {
          slave_id: update.slave_id,
          task_id: status.task_id,
          uuid: Buffer.from(update.uuid!),
        },
      });
    };
    // A failed callback leaves the update unacknowledged: the agent sends it again.
    if (result instanceof Promise) result.then(acknowledge, () => undefined);
    else if (result) acknowledge();
  }

  /** Fatal error: abort (telling a connected master) and report it. */
  protected override error(message: string): void {
    if (!this.running) return;
    this.logger.error(`Aborting: ${message}`);
    this.abort();
    this.invoke('error', message);
  }

  /** The driver stopped or aborted: nothing more runs. */
  protected override finish(status: DriverStatus): void {
    super.finish(status);
    this.detection++;
    this.detectionTimer?.cancel();
    this.registrationTimer?.cancel();
    this.deadlineTimer?.cancel();
    this.dropAuthenticatee();
    if (this.masterPid) this.actors.unlink(this.masterPid, { from: this });
    void this.detector.close();
    this.onDone(status);
  }

  private onRegistered(from: Upid, body: Buffer, reregistered: boolean): void {
    const kind = reregistered ? 'reregistered' : 'registered';
    if (!this.running) return;
    if (this.connected) {
      this.logger.debug(
        `Ignoring framework ${kind} message: already connected`,
      );
      return;
    }
    if (!this.masterPid?.equals(from)) {
      this.logger.warn(
        `Ignoring framework ${kind} message from ${from}: the leading master is ${this.masterPid ?? 'unknown'}`,
      );
      return;
    }
    const message = MesosCodec.decode<FrameworkRegisteredMessage>(
      reregistered
        ? MesosMessage.FrameworkReregistered
        : MesosMessage.FrameworkRegistered,
      body,
    );
    this.framework.id = message.framework_id;
    this.connected = true;
    this.failover = false;
    this.registrationTimer?.cancel();
    this.deadlineTimer?.cancel();
    this.detectBackoffMs = this.config.registrationBackoffMs;
    this.logger.log(
      `Framework ${message.framework_id.value} ${kind} with ${message.master_info.pid ?? from}`,
    );
    if (this.sendUpdateFrameworkOnConnect) this.sendUpdateFramework();
    if (reregistered) this.invoke('reregistered', message.master_info);
    else this.invoke('registered', message.framework_id, message.master_info);
    this.resendReconciliations();
  }

  /** sched.cpp's `authenticate()`: one attempt at a time, retried with a growing random timeout. */
  private authenticate(): void {
    const credential = this.config.credential!;
    const master = this.masterPid!;
    const timeoutMs =
      AUTHENTICATION_TIMEOUT_MIN_MS +
      (this.authenticationMaxMs - AUTHENTICATION_TIMEOUT_MIN_MS) *
        Math.random();
    this.logger.log(
      `Authenticating with master ${master} as '${credential.principal}'`,
    );
    const process = new AuthenticateeProcess(
      this.actors,
      master,
      this.self!,
      credential,
      (outcome) => {
        void this.actors
          .dispatch(this.typed, 'authenticated', outcome, process)
          .catch(() => undefined);
      },
    );
    const pid = this.actors.spawn(process);
    const timer = this.actors.delay(
      timeoutMs,
      this.typed,
      'authenticationTimedOut',
      pid,
    );
    this.authenticatee = { pid, timer };
  }

  /** An attempt's outcome, back on this queue (ignored when the attempt was dropped meanwhile). */
  authenticated(
    outcome: AuthenticationOutcome,
    process: AuthenticateeProcess,
  ): void {
    const attempt = this.authenticatee;
    if (
      !this.running ||
      !attempt ||
      this.actors.self(process).toString() !== attempt.pid.toString()
    ) {
      return;
    }
    this.dropAuthenticatee();
    // As sched.cpp's `_authenticate()`: only a refusal of the credential is fatal.
    if (outcome.kind === 'failed') {
      this.error(
        `Master ${this.masterPid} refused authentication of principal '${this.config.credential!.principal}'`,
      );
      return;
    }
    if (outcome.kind === 'error') {
      this.retryAuthentication(outcome.message);
      return;
    }
    this.logger.log(`Successfully authenticated with master ${this.masterPid}`);
    this.isAuthenticated = true;
    this.authenticationMaxMs = INITIAL_AUTHENTICATION_MAX_MS;
    this.registrationAttempts = 0;
    this.doReliableRegistration(this.config.registrationBackoffMs);
  }

  authenticationTimedOut(pid: Upid): void {
    if (!this.running || this.authenticatee?.pid.toString() !== pid.toString())
      return;
    this.logger.warn(
      `Authentication with master ${this.masterPid} timed out; retrying`,
    );
    this.dropAuthenticatee();
    this.growAuthenticationTimeout();
    if (this.masterPid) this.authenticate();
  }

  /**
   * An attempt that broke (the master's `AuthenticationErrorMessage`, e.g. "No authenticator
   * loaded", no common mechanism, a malformed message) is retried, never reported through
   * `error`: sched.cpp treats it as a failed future, logs it and authenticates again with a
   * grown timeout range, for ever (or until another master is detected). libmesos retries at
   * once; we first wait a random part of that range (up to 2 s, 4 s... 55 s), so that a master
   * that answers every attempt with an error at once is not hammered, nor our log flooded.
   */
  private retryAuthentication(why: string): void {
    const delay =
      Math.random() *
      (this.authenticationMaxMs - AUTHENTICATION_TIMEOUT_MIN_MS);
    this.logger.warn(
      `Failed to authenticate with master ${this.masterPid}: ${why}; retrying in ${(delay / 1000).toFixed(1)}s`,
    );
    this.growAuthenticationTimeout();
    this.authenticationRetry = this.actors.delay(
      delay,
      this.typed,
      'authenticateAgain',
      this.masterPid!,
    );
  }

  /** The retry of a broken attempt, unless the master changed (detection started over). */
  authenticateAgain(master: Upid): void {
    this.authenticationRetry = undefined;
    if (!this.running || this.isAuthenticated || this.authenticatee) return;
    if (this.masterPid?.toString() !== master.toString()) return;
    this.authenticate();
  }

  /** sched.cpp's range: [min, min + factor * 2^n], up to [min, max]. */
  private growAuthenticationTimeout(): void {
    this.authenticationMaxMs = Math.min(
      AUTHENTICATION_TIMEOUT_MIN_MS +
        (this.authenticationMaxMs - AUTHENTICATION_TIMEOUT_MIN_MS) * 2,
      AUTHENTICATION_TIMEOUT_MAX_MS,
    );
  }

  /** Gives up the optional deadline (`failoverDeadlineMs`) when not registered in time. */
  deadlinePassed(): void {
    this.deadlineTimer = undefined;
    if (this.running && !this.connected) {
      this.error(
        `Not registered with a master within ${this.config.failoverDeadlineMs} ms (failoverDeadlineMs)`,
      );
    }
  }

  private armDeadline(): void {
    const deadline = this.config.failoverDeadlineMs;
    if (deadline === undefined || this.deadlineTimer?.pending) return;
    this.deadlineTimer = this.actors.delay(
      deadline,
      this.typed,
      'deadlinePassed',
    );
  }

  /** Detection again after a random back-off (as registration), so a dead master is not hammered. */
  private scheduleDetection(): void {
    if (this.detectionTimer?.pending) return;
    const delay = Math.random() * this.detectBackoffMs;
    this.detectBackoffMs = Math.min(
      this.detectBackoffMs * 2,
      REGISTRATION_RETRY_INTERVAL_MAX_MS,
    );
    this.detectionTimer = this.actors.delay(delay, this.typed, 'detect');
  }

  private dropAuthenticatee(): void {
    this.authenticationRetry?.cancel();
    this.authenticationRetry = undefined;
    const attempt = this.authenticatee;
    if (!attempt) return;
    this.authenticatee = undefined;
    attempt.timer.cancel();
    try {
      this.actors.terminate(attempt.pid);
    } catch {
      // Already gone.
    }
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

  protected override resendReconciliations(): void {
    for (const reconciliation of this.reconciliations) {
      this.sendReconcile(reconciliation);
    }
  }

  /** Sends the unanswered part of a reconciliation and arms its retry. */
  protected override sendReconcile(
    reconciliation: PendingReconciliation,
  ): void {
    reconciliation.cancelRetry?.();
    if (this.connected) {
      this.sendCall({
        type: 'RECONCILE',
        reconcile: { tasks: reconciliation.tasks() },
      });
    }
    const timer = this.actors.delay(
      reconciliation.nextRetryMs(),
      this.typed,
      'retryReconciliation',
      reconciliation,
    );
    reconciliation.cancelRetry = () => timer.cancel();
  }

  retryReconciliation(reconciliation: PendingReconciliation): void {
    if (this.running && this.reconciliations.has(reconciliation)) {
      this.sendReconcile(reconciliation);
    }
  }
}
