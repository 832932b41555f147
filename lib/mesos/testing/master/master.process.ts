import { Inject, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  LibprocessContext,
  Mailbox,
  OnExited,
  OnInitialize,
  Process,
  ProtobufMailbox,
  Route,
  RouteResponse,
  Upid,
} from '../../../index.js';
import type { Call, StatusUpdateMessage } from '../../mesos.types.js';
import { MesosMessage } from '../../mesos.constants.js';
import type {
  AuthenticationOutcome,
  CramMd5AuthenticatorSession,
} from '../auth/cram-md5-authenticator.session.js';
import {
  MASTER_PROCESS_ID,
  SimulatorMessage,
  UNSIMULATED_MASTER_MESSAGES,
} from '../simulator.constants.js';
import { AGENT_REGISTER, AGENT_REGISTERED } from '../simulator-internal.js';
import { LegacyMessages } from './legacy-messages.js';
import { MasterAuthentication } from './master-authentication.js';
import { MasterLeadership } from './master-leadership.js';
import { frameworksJson, stateJson } from './master-state.js';
import { MasterLog, processOutbox } from './master-outbox.js';
import {
  MASTER_NODE_SETTINGS,
  type MasterNodeSettings,
} from './master-node.settings.js';
import { type AgentReport, SimulatedMaster } from './simulated-master.js';

/**
 * The simulated master's libprocess process `master`: a thin adapter from mailboxes, routes,
 * link breaks and timers onto {@link SimulatedMaster}. It adds what belongs to the process: the
 * slow-master delay and the simulator-internal agent registration, and owns one part per role:
 * {@link MasterLeadership} (the leader check: "not elected" drops, 307 redirects),
 * {@link MasterAuthentication} (the CRAM-MD5 authenticator sessions) and
 * {@link LegacyMessages} (the pre-Call scheduler messages).
 */
@Process(MASTER_PROCESS_ID)
export class MasterProcess {
  private readonly logger = new Logger('MesosMaster');
  master!: SimulatedMaster;
  private self!: Upid;
  private readonly startTime: number;
  private readonly leadership: MasterLeadership;
  private authentication!: MasterAuthentication;
  private legacyMessages!: LegacyMessages;
  private markReady!: () => void;
  /** Resolves once the process has its pid and its logic exists (after `@OnInitialize`). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly actors: ActorRef,
    @Inject(MASTER_NODE_SETTINGS) private readonly settings: MasterNodeSettings,
  ) {
    this.startTime = settings.clock.now();
    this.leadership = new MasterLeadership(settings);
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.master = new SimulatedMaster(
      self,
      {
        masterId: this.settings.masterId,
        hostname: this.settings.hostname ?? 'localhost',
        clock: this.settings.clock,
        offerTimeoutMs: this.settings.offerTimeoutMs,
        authenticateFrameworks: this.settings.authenticateFrameworks ?? false,
      },
      processOutbox(this.actors, self),
      new MasterLog(() => this.settings.clock.now()),
    );
    this.authentication = new MasterAuthentication(
      this.actors,
      self,
      this.settings,
      this.master,
    );
    this.legacyMessages = new LegacyMessages(this.master);
    this.master.recoverAgents(
      (this.settings.recoveredAgents ?? []).map((a) => ({
        ...a,
        pid: Upid.parse(a.pid),
      })),
    );
    if (this.settings.leading !== false) this.elect();
    this.logger.log(
      `Simulated Mesos master ${self} (a test double, not Mesos; leading: ${this.isLeading})`,
    );
    this.allocationCycle();
    this.markReady();
  }

  get isLeading(): boolean {
    return this.leadership.isLeading;
  }

  /** master/dropped_messages. */
  get droppedMessages(): number {
    return this.leadership.droppedMessages;
  }

  set droppedMessages(count: number) {
    this.leadership.droppedMessages = count;
  }

  /** Becomes the leading master (as after winning the ZooKeeper election). */
  elect(): void {
    this.leadership.elect(this.self);
  }

  /** Steps down: a non-leader that redirects to `leader` (host:port) and drops messages. */
  demote(leader?: string): void {
    this.leadership.demote(leader);
  }

  /** Runs a method of the master's logic from a timer (on this process' queue). */
  timer(method: string, ...args: unknown[]): void {
    if (method === 'allocationCycle') return this.allocationCycle();
    if (method === 'authenticationTimeout') {
      return this.authentication.authenticationTimeout(
        args[0] as string,
        args[1] as CramMd5AuthenticatorSession,
      );
    }
    const target = this.master as unknown as Record<
      string,
      (...a: unknown[]) => void
    >;
    target[method].apply(this.master, args);
  }

  private allocationCycle(): void {
    if (this.isLeading) this.master.allocate();
    this.actors.delay(
      this.settings.allocationIntervalMs,
      this.self,
      'timer',
      'allocationCycle',
    );
  }

  /**
   * Master::consume: every message is dropped while not elected. Scheduler messages wait
   * `schedulerMessageDelayMs` on a slow master (link breaks do not).
   */
  private admit(
    name: string,
    ctx: LibprocessContext,
    body: unknown,
    run: () => void,
  ): void {
    if (!this.leadership.admits(name)) return;
    this.master.record(ctx.from, name, body);
    const delay = this.settings.schedulerMessageDelayMs ?? 0;
    if (delay > 0) {
      this.actors.delay(delay, this.self, 'deferred', run);
    } else {
      run();
    }
  }

  /** Timer target of {@link admit}'s delay. */
  deferred(run: () => void): void {
    run();
  }

  @ProtobufMailbox(MesosMessage.Call)
  call(@Payload() call: Call, @Ctx() ctx: LibprocessContext): void {
    const from = ctx.from;
    this.admit(MesosMessage.Call, ctx, call, () => {
      if (
        call.type === 'SUBSCRIBE' &&
        this.authentication.queueWhileAuthenticating(from, () =>
          this.master.receiveCall(from, call),
        )
      ) {
        return;
      }
      this.master.receiveCall(from, call);
    });
  }

  @ProtobufMailbox(SimulatorMessage.RegisterFramework)
  registerFramework(
    @Payload() message: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.legacySubscription(
      'register',
      SimulatorMessage.RegisterFramework,
      message,
      ctx,
    );
  }

  @ProtobufMailbox(SimulatorMessage.ReregisterFramework)
  reregisterFramework(
    @Payload() message: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.legacySubscription(
      'reregister',
      SimulatorMessage.ReregisterFramework,
      message,
      ctx,
    );
  }

  private legacySubscription(
    kind: 'register' | 'reregister',
    name: string,
    message: object,
    ctx: LibprocessContext,
  ): void {
    const from = ctx.from;
    this.admit(name, ctx, message, () => {
      const run = this.legacyMessages.subscription(kind, from, message);
      if (run && !this.authentication.queueWhileAuthenticating(from, run)) {
        run();
      }
    });
  }

  @ProtobufMailbox('mesos.internal.UnregisterFrameworkMessage')
  unregisterFramework(
    @Payload() m: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.legacy('mesos.internal.UnregisterFrameworkMessage', m, ctx);
  }

  @ProtobufMailbox('mesos.internal.LaunchTasksMessage')
  launchTasks(@Payload() m: object, @Ctx() ctx: LibprocessContext): void {
    this.legacy('mesos.internal.LaunchTasksMessage', m, ctx);
  }

  @ProtobufMailbox('mesos.internal.ReviveOffersMessage')
  reviveOffers(@Payload() m: object, @Ctx() ctx: LibprocessContext): void {
    this.legacy('mesos.internal.ReviveOffersMessage', m, ctx);
  }

  @ProtobufMailbox(MesosMessage.KillTask)
  killTask(@Payload() m: object, @Ctx() ctx: LibprocessContext): void {
    this.legacy(MesosMessage.KillTask, m, ctx);
  }

  @ProtobufMailbox(MesosMessage.StatusUpdateAcknowledgement)
  statusUpdateAcknowledgement(
    @Payload() m: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.legacy(MesosMessage.StatusUpdateAcknowledgement, m, ctx);
  }

  @ProtobufMailbox('mesos.internal.ReconcileTasksMessage')
  reconcileTasks(@Payload() m: object, @Ctx() ctx: LibprocessContext): void {
    this.legacy('mesos.internal.ReconcileTasksMessage', m, ctx);
  }

  @ProtobufMailbox('mesos.internal.ResourceRequestMessage')
  resourceRequest(@Payload() m: object, @Ctx() ctx: LibprocessContext): void {
    this.legacy('mesos.internal.ResourceRequestMessage', m, ctx);
  }

  @ProtobufMailbox(SimulatorMessage.FrameworkToExecutor)
  frameworkToExecutor(
    @Payload() m: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.legacy(SimulatorMessage.FrameworkToExecutor, m, ctx);
  }

  private legacy(name: string, message: object, ctx: LibprocessContext): void {
    const from = ctx.from;
    this.admit(name, ctx, message, () =>
      this.legacyMessages.receive(from, name, message),
    );
  }

  @ProtobufMailbox(MesosMessage.DeactivateFramework)
  deactivateFramework(
    @Payload() message: { framework_id?: { value: string } },
    @Ctx() ctx: LibprocessContext,
  ): void {
    const from = ctx.from;
    this.admit(MesosMessage.DeactivateFramework, ctx, message, () =>
      this.master.deactivateFramework(from, message.framework_id?.value ?? ''),
    );
  }

  @ProtobufMailbox(MesosMessage.StatusUpdate)
  statusUpdate(
    @Payload() message: StatusUpdateMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.leadership.admits(MesosMessage.StatusUpdate)) return;
    if (!this.master.agents.findByPid(ctx.from)) {
      this.master.log.warn(
        `Ignoring status update from ${ctx.from}: not a registered agent`,
      );
      return;
    }
    this.master.statusUpdate(message);
  }

  @ProtobufMailbox(MesosMessage.ExitedExecutor)
  exitedExecutor(
    @Payload() message: object,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.leadership.admits(MesosMessage.ExitedExecutor)) return;
    if (this.master.agents.findByPid(ctx.from))
      this.master.exitedExecutor(message);
  }

  /** Simulator-internal agent (re-)registration (JSON, not RegisterSlaveMessage). */
  @Mailbox(AGENT_REGISTER)
  registerAgent(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (!this.leadership.admits(AGENT_REGISTER)) return;
    let report: AgentReport;
    try {
      report = JSON.parse(body.toString()) as AgentReport;
    } catch {
      this.logger.warn(
        `Dropping an unreadable agent registration from ${ctx.from}`,
      );
      return;
    }
    this.master.agentRegistered({ ...report, pid: ctx.from.toString() });
    this.actors.link(ctx.from, { from: this.self });
    this.actors.send(
      ctx.from,
      AGENT_REGISTERED,
      JSON.stringify({ masterId: this.master.info.id }),
      { from: this.self },
    );
  }

  @ProtobufMailbox(SimulatorMessage.Authenticate)
  authenticate(
    @Payload() message: { pid: string },
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.leadership.admits(SimulatorMessage.Authenticate)) return;
    this.authentication.authenticate(ctx.from, message.pid);
  }

  /** Master::_authenticate (dispatched by the session when it ends). */
  authenticated(
    pid: string,
    session: CramMd5AuthenticatorSession,
    outcome: AuthenticationOutcome,
  ): void {
    this.authentication.authenticated(pid, session, outcome);
  }

  @OnExited()
  exited(pid: Upid): void {
    if (!this.isLeading) return;
    const agent = this.master.agents.findByPid(pid);
    if (agent) {
      // The agent's node went away: it is disconnected until it re-registers.
      if (agent.standing === 'registered' && agent.connected) {
        this.master.log.info(`Agent ${agent.id} at ${pid} disconnected`);
        agent.connected = false;
      }
      return;
    }
    this.master.frameworkExited(pid);
  }

  // ---- HTTP ------------------------------------------------------------------------------

  /** `GET /master/state`, and `GET /state` when the node delegates to `master`. */
  @Route('state', { methods: ['GET'] })
  state(): unknown {
    return (
      this.leadership.redirect('/master/state') ??
      stateJson(this.master, this.startTime, this.leadership.elected)
    );
  }

  @Route('frameworks', { methods: ['GET'] })
  frameworks(): unknown {
    return (
      this.leadership.redirect('/master/frameworks') ??
      frameworksJson(this.master)
    );
  }

  @Route('redirect', { methods: ['GET'] })
  leaderRedirect(): RouteResponse {
    return this.leadership.leaderRedirect();
  }

  /** What `GET /metrics/snapshot` of this node serves (answered by a non-leader too). */
  metricsSnapshot(): Record<string, number> {
    return {
      ...this.master.metrics.snapshot(),
      'master/dropped_messages': this.droppedMessages,
      'master/elected': this.isLeading ? 1 : 0,
    };
  }

  @Route('health', { methods: ['GET'] })
  health(): RouteResponse {
    return new RouteResponse(200, '');
  }

  // ---- messages a real master handles that the simulator does not -------------------------

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[0])
  unsimulated0(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[0], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[1])
  unsimulated1(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[1], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[2])
  unsimulated2(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[2], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[3])
  unsimulated3(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[3], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[4])
  unsimulated4(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[4], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[5])
  unsimulated5(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[5], ctx);
  }

  @Mailbox(UNSIMULATED_MASTER_MESSAGES[6])
  unsimulated6(@Ctx() ctx: LibprocessContext): void {
    this.unsimulated(UNSIMULATED_MASTER_MESSAGES[6], ctx);
  }

  private unsimulated(name: string, ctx: LibprocessContext): void {
    this.master.log.warn(
      `Dropping '${name}' message from ${ctx.from}: not simulated (the simulator is a test double for schedulers)`,
    );
  }
}
