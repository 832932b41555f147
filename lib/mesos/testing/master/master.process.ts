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
import {
  type AuthenticationOutcome,
  CramMd5AuthenticatorSession,
} from '../auth/cram-md5-authenticator.session.js';
import {
  MASTER_PROCESS_ID,
  SimulatorMessage,
  UNSIMULATED_MASTER_MESSAGES,
} from '../simulator.constants.js';
import { AGENT_REGISTER, AGENT_REGISTERED } from '../simulator-internal.js';
import {
  LEGACY_SCHEDULER_MESSAGES,
  type LegacyMapping,
  legacySubscribe,
} from './legacy-calls.js';
import { frameworksJson, stateJson } from './master-state.js';
import { MasterLog, type MasterOutbox } from './master-outbox.js';
import {
  MASTER_NODE_SETTINGS,
  type MasterNodeSettings,
} from './master-node.settings.js';
import { type AgentReport, SimulatedMaster } from './simulated-master.js';

const LEGACY = new Map<string, LegacyMapping>(
  LEGACY_SCHEDULER_MESSAGES.map((m) => [m.type, m]),
);

interface Authenticating {
  session: CramMd5AuthenticatorSession;
  /** SUBSCRIBE calls queued until the authentication ends (Master::subscribe does so). */
  waiting: Array<() => void>;
}

/**
 * The simulated master's libprocess process `master`: a thin adapter from mailboxes, routes,
 * link breaks and timers onto {@link SimulatedMaster}. It adds what belongs to the process:
 * the leader check ("not elected" drops, 307 redirects), the slow-master delay, the CRAM-MD5
 * authenticator sessions, and the simulator-internal agent registration.
 */
@Process(MASTER_PROCESS_ID)
export class MasterProcess {
  private readonly logger = new Logger('MesosMaster');
  master!: SimulatedMaster;
  private self!: Upid;
  private readonly startTime: number;
  private electedTime?: number;
  private readonly authenticating = new Map<string, Authenticating>();
  /** master/dropped_messages. */
  droppedMessages = 0;
  private markReady!: () => void;
  /** Resolves once the process has its pid and its logic exists (after `@OnInitialize`). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly actors: ActorRef,
    @Inject(MASTER_NODE_SETTINGS) private readonly settings: MasterNodeSettings,
  ) {
    this.startTime = settings.clock.now();
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    const outbox: MasterOutbox = {
      send: (to, type, message) =>
        this.actors.sendProto(to, type, message, { from: self }),
      sendInternal: (to, name, body) =>
        this.actors.send(to, name, JSON.stringify(body), { from: self }),
      link: (to) => this.actors.link(to, { from: self }),
      unlink: (to) => this.actors.unlink(to, { from: self }),
      later: (ms, method, ...args) =>
        this.actors.delay(ms, self, 'timer', method, ...args),
    };
    this.master = new SimulatedMaster(
      self,
      {
        masterId: this.settings.masterId,
        hostname: this.settings.hostname ?? 'localhost',
        clock: this.settings.clock,
        offerTimeoutMs: this.settings.offerTimeoutMs,
        authenticateFrameworks: this.settings.authenticateFrameworks ?? false,
      },
      outbox,
      new MasterLog(() => this.settings.clock.now()),
    );
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
    return this.electedTime !== undefined;
  }

  /** Becomes the leading master (as after winning the ZooKeeper election). */
  elect(): void {
    this.electedTime ??= this.settings.clock.now();
    this.settings.leader = `${this.self.host}:${this.self.port}`;
  }

  /** Steps down: a non-leader that redirects to `leader` (host:port) and drops messages. */
  demote(leader?: string): void {
    this.electedTime = undefined;
    this.settings.leader = leader;
  }

  /** Runs a method of the master's logic from a timer (on this process' queue). */
  timer(method: string, ...args: unknown[]): void {
    if (method === 'allocationCycle') return this.allocationCycle();
    if (method === 'authenticationTimeout') {
      return this.authenticationTimeout(
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
    if (!this.isLeading) {
      this.droppedMessages++;
      this.logger.debug(`Dropping '${name}' message since not elected yet`);
      return;
    }
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
        this.queueWhileAuthenticating(from, () =>
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
    message: any,
    ctx: LibprocessContext,
  ): void {
    const from = ctx.from;
    this.admit(name, ctx, message, () => {
      const mapped = legacySubscribe(kind, message);
      if ('refusal' in mapped) {
        this.master.log.info(
          `Refusing ${kind === 'register' ? 'registration' : 're-registration'} request of framework '${message.framework?.name}' at ${from}: ${mapped.refusal}`,
        );
        this.actors.sendProto(
          from,
          MesosMessage.FrameworkError,
          { message: mapped.refusal },
          { from: this.self },
        );
        return;
      }
      const subscribe = mapped.call.subscribe!;
      const run = () =>
        this.master.subscribe(
          from,
          subscribe.framework_info!,
          Boolean(subscribe.force),
        );
      if (!this.queueWhileAuthenticating(from, run)) run();
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

  /**
   * A legacy message: master.cpp looks the framework up and checks the pid ("Ignoring ..."),
   * but not the connection, then runs the Call handler.
   */
  private legacy(name: string, message: any, ctx: LibprocessContext): void {
    const from = ctx.from;
    this.admit(name, ctx, message, () => {
      const mapping = LEGACY.get(name)!;
      const call = mapping.toCall(message);
      if (
        call.type === 'ACKNOWLEDGE' &&
        Buffer.from(message.uuid ?? []).length !== 16
      ) {
        this.master.log.warn(
          `Ignoring ${mapping.describe(message)} due to: Invalid UUID`,
        );
        return;
      }
      const framework = this.master.frameworks.get(
        mapping.frameworkId(message),
      );
      if (!framework) {
        this.master.log.warn(
          `Ignoring ${mapping.describe(message)} because the framework cannot be found`,
        );
        return;
      }
      if (!framework.pid?.equals(from)) {
        this.master.log.warn(
          `Ignoring ${mapping.describe(message)} because it is not expected from ${from}`,
        );
        return;
      }
      this.master.handle(framework, call);
    });
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
    if (!this.isLeading) return this.dropNotElected(MesosMessage.StatusUpdate);
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
    if (!this.isLeading)
      return this.dropNotElected(MesosMessage.ExitedExecutor);
    if (this.master.agents.findByPid(ctx.from))
      this.master.exitedExecutor(message);
  }

  /** Simulator-internal agent (re-)registration (JSON, not RegisterSlaveMessage). */
  @Mailbox(AGENT_REGISTER)
  registerAgent(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (!this.isLeading) return this.dropNotElected(AGENT_REGISTER);
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
    if (!this.isLeading)
      return this.dropNotElected(SimulatorMessage.Authenticate);
    const from = ctx.from;
    const pid = message.pid;
    const erased = this.master.authenticated.delete(pid);
    const credentials = this.settings.credentials;
    if (!credentials || credentials.length === 0) {
      this.master.log.warn(
        `Received authentication request from ${pid} but authenticator is not loaded`,
      );
      this.actors.sendProto(
        from,
        SimulatorMessage.AuthenticationError,
        { error: 'No authenticator loaded' },
        { from: this.self },
      );
      return;
    }
    const previous = this.authenticating.get(pid);
    if (previous) {
      this.master.log.info(
        `Re-authenticating ${pid}; discarding outstanding authentication`,
      );
      previous.session.discard();
    } else {
      this.master.log.info(
        `Authenticating ${pid}${erased ? '; clearing previous authentication' : ''}`,
      );
    }
    const entry: Authenticating = {
      session: undefined!,
      waiting: previous?.waiting ?? [],
    };
    entry.session = new CramMd5AuthenticatorSession(
      this.actors,
      from,
      new Map(credentials.map((c) => [c.principal, c.secret])),
      this.master.info.hostname ?? this.self.host,
      (outcome) =>
        void this.actors
          .dispatch(this.self, 'authenticated', pid, entry.session, outcome)
          .catch(() => undefined),
    );
    this.authenticating.set(pid, entry);
    this.actors.spawn(entry.session);
    this.actors.delay(
      this.settings.authenticationTimeoutMs ?? 15_000,
      this.self,
      'timer',
      'authenticationTimeout',
      pid,
      entry.session,
    );
  }

  /** Master::_authenticate (dispatched by the session when it ends). */
  authenticated(
    pid: string,
    session: CramMd5AuthenticatorSession,
    outcome: AuthenticationOutcome,
  ): void {
    const entry = this.authenticating.get(pid);
    if (entry?.session !== session) {
      this.master.log.info(`Ignoring stale authentication result of ${pid}`);
      return;
    }
    this.authenticating.delete(pid);
    if ('error' in outcome) {
      this.master.log.warn(
        `An error ocurred while attempting to authenticate ${pid}: ${outcome.error}`,
      );
    } else if (outcome.principal === null) {
      this.master.log.info(
        `Authentication of ${pid} was unsuccessful: Invalid credentials`,
      );
    } else {
      this.master.log.info(
        `Successfully authenticated principal '${outcome.principal}' at ${pid}`,
      );
      this.master.authenticated.set(pid, outcome.principal);
    }
    for (const run of entry.waiting) run();
  }

  private authenticationTimeout(
    pid: string,
    session: CramMd5AuthenticatorSession,
  ): void {
    if (this.authenticating.get(pid)?.session === session) {
      this.master.log.warn('Authentication timed out');
      session.discard();
    }
  }

  private queueWhileAuthenticating(from: Upid, run: () => void): boolean {
    const entry = this.authenticating.get(from.toString());
    if (!entry) return false;
    this.master.log.info(
      `Queuing up SUBSCRIBE call for framework at ${from} because authentication is still in progress`,
    );
    entry.waiting.push(run);
    return true;
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

  private dropNotElected(name: string): void {
    this.droppedMessages++;
    this.logger.debug(`Dropping '${name}' message since not elected yet`);
  }

  // ---- HTTP ------------------------------------------------------------------------------

  /** A non-leader's answer to its endpoints: 307 to the leader, or 503 without one. */
  private redirect(path: string): RouteResponse | undefined {
    if (this.isLeading) return undefined;
    if (!this.settings.leader)
      return new RouteResponse(503, 'No leader elected');
    return new RouteResponse(307, '', {
      Location: `//${this.settings.leader}${path}`,
    });
  }

  /** `GET /master/state`, and `GET /state` when the node delegates to `master`. */
  @Route('state', { methods: ['GET'] })
  state(): unknown {
    return (
      this.redirect('/master/state') ??
      stateJson(this.master, this.startTime, this.electedTime)
    );
  }

  @Route('frameworks', { methods: ['GET'] })
  frameworks(): unknown {
    return this.redirect('/master/frameworks') ?? frameworksJson(this.master);
  }

  @Route('redirect', { methods: ['GET'] })
  leaderRedirect(): RouteResponse {
    return this.settings.leader
      ? new RouteResponse(307, '', { Location: `//${this.settings.leader}` })
      : new RouteResponse(503, 'No leader elected');
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
