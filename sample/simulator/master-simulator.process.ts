import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  type DelayHandle,
  LibprocessContext,
  OnExited,
  OnInitialize,
  Process,
  ProtobufMailbox,
  Route,
  Upid,
} from '../../lib/index.js';
import {
  isTerminalState,
  MASTER_PROCESS_ID,
  MesosMessage,
  taskStateName,
} from '../../lib/mesos/index.js';
import type {
  Call,
  DeactivateFrameworkMessage,
  ExitedExecutorMessage,
  FrameworkInfo,
  MasterInfo,
  Offer,
  Resource,
  StatusUpdate,
  StatusUpdateMessage,
  TaskInfo,
  TaskState,
  TaskStatus,
  TaskStatus_Reason,
} from '../../lib/mesos/index.js';
import { AGENT_PROCESS_ID, SimulatedCluster } from './simulated-cluster.js';

interface Scalars {
  cpus: number;
  mem: number;
}

interface SimulatedTask {
  id: string;
  state: TaskState;
  resources: Scalars;
  /** Resources come back to the pool with the first terminal update, as in Mesos. */
  released: boolean;
  /** uuid of the last update forwarded with an acknowledgee, to spot the terminal acknowledgement. */
  lastUuid?: string;
}

interface SimulatedOffer {
  offer: Offer;
  resources: Scalars;
  timeout?: DelayHandle;
}

interface SimulatedFramework {
  id: string;
  info: FrameworkInfo;
  pid: Upid;
  connected: boolean;
  active: boolean;
  suppressed: boolean;
  /** Declined and accepted offers' filters: no offers before this time (ms since epoch). */
  refuseUntil: number;
  offers: Map<string, SimulatedOffer>;
  tasks: Map<string, SimulatedTask>;
  failoverTimer?: DelayHandle;
  /** Bumped on every (re-)subscription, so a stale failover timeout does nothing. */
  epoch: number;
}

/** A call as the master received it (for tests and the state endpoint). */
export interface ReceivedCall {
  from: string;
  call: Call;
}

/** Mesos' minimum allocatable resources (MIN_CPUS, MIN_MEM in src/master/constants.hpp). */
const MIN_CPUS = 0.01;
const MIN_MEM = 32;

const MAX_RECEIVED_CALLS = 10_000;

const SIMULATOR_VERSION = '1.11.0 (nestjs-libprocess simulator)';

function scalars(resources: Resource[] | undefined): Scalars {
  const sum = (name: string) =>
    (resources ?? [])
      .filter((r) => r.name === name)
      .reduce((total, r) => total + (r.scalar?.value ?? 0), 0);
  return { cpus: sum('cpus'), mem: sum('mem') };
}

function scalarResource(name: string, value: number): Resource {
  return {
    name,
    type: 'SCALAR',
    scalar: { value: Math.round(value * 1000) / 1000 },
    role: '*',
  };
}

/** An IPv4 address as Mesos puts it in MasterInfo.ip: the network-order bytes read as a host uint32. */
function ipToUint32(ip: string): number {
  const octets = ip.split('.').map(Number);
  return octets.length === 4 &&
    octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)
    ? Buffer.from(octets).readUInt32LE(0)
    : 0;
}

/**
 * A simulated Mesos master, **a test double and not a Mesos replacement**: one process `master`
 * that speaks to a pid-based scheduler exactly as `src/master/master.cpp` does over libprocess
 * (SUBSCRIBE and the other `mesos.scheduler.Call`s in, `mesos.internal.*` messages out over a link
 * back to the scheduler), with one simulated agent (`slave(1)`, same node). It keeps the
 * behaviours a scheduler depends on: offers every allocation interval, launches through the
 * agent, forwards status updates with the agent as acknowledgee and acknowledgements back to the
 * agent, master-generated updates without uuid (invalid tasks, reconciliation), refusals as
 * FrameworkErrorMessage, framework removal on TEARDOWN or when the link breaks and
 * failover_timeout runs out. No persistence, authentication, roles, quota, or HTTP API.
 */
@Process(MASTER_PROCESS_ID)
export class MasterSimulatorProcess {
  private readonly logger = new Logger('MasterSimulator');
  private self!: Upid;
  private agent!: Upid;
  private readonly frameworks = new Map<string, SimulatedFramework>();
  private readonly completed = new Set<string>();
  private nextFrameworkId = 0;
  private nextOfferId = 0;
  /** The calls received, in order (the latest {@link MAX_RECEIVED_CALLS}), for tests and debugging. */
  readonly received: ReceivedCall[] = [];

  constructor(
    private readonly actors: ActorRef,
    private readonly cluster: SimulatedCluster,
  ) {}

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.agent = new Upid(AGENT_PROCESS_ID, self.host, self.port);
    this.logger.log(
      `Simulated Mesos master ${self} with agent ${this.agent} (a test double, not Mesos)`,
    );
    this.allocationCycle();
  }

  get masterInfo(): MasterInfo {
    return {
      id: this.cluster.masterId,
      ip: ipToUint32(this.self.host),
      port: this.self.port,
      pid: this.self.toString(),
      hostname: this.cluster.hostname,
      version: SIMULATOR_VERSION,
      address: {
        hostname: this.cluster.hostname,
        ip: this.self.host,
        port: this.self.port,
      },
    };
  }

  /** `GET /master/state`: what a detector (mesos-go's standalone one) reads the leader from. */
  @Route('state', { methods: ['GET'] })
  state(): Record<string, unknown> {
    const framework = (fw: SimulatedFramework) => ({
      id: fw.id,
      name: fw.info.name,
      user: fw.info.user,
      pid: fw.pid.toString(),
      active: fw.active,
      connected: fw.connected,
      failover_timeout: fw.info.failover_timeout ?? 0,
      tasks: [...fw.tasks.values()].map((task) => ({
        id: task.id,
        state: task.state,
      })),
    });
    return {
      version: SIMULATOR_VERSION,
      id: this.cluster.masterId,
      pid: this.self.toString(),
      hostname: this.cluster.hostname,
      leader: this.self.toString(),
      leader_info: this.masterInfo,
      activated_slaves: 1,
      slaves: [
        {
          id: this.cluster.agentId,
          pid: this.agent.toString(),
          hostname: this.cluster.hostname,
        },
      ],
      frameworks: [...this.frameworks.values()].map(framework),
      completed_frameworks: [...this.completed].map((id) => ({ id })),
    };
  }

  @ProtobufMailbox(MesosMessage.Call)
  call(@Payload() call: Call, @Ctx() ctx: LibprocessContext): void {
    const from = ctx.from;
    this.received.push({ from: from.toString(), call });
    if (this.received.length > MAX_RECEIVED_CALLS) {
      this.received.shift();
    }
    if (call.type === 'SUBSCRIBE') {
      this.subscribe(from, call);
      return;
    }
    // Same checks, same order and same (non-)answers as Master::receive(const UPID&, Call&&).
    const framework =
      call.framework_id && this.frameworks.get(call.framework_id.value);
    if (!framework) {
      this.drop(from, call, 'Framework cannot be found');
      return;
    }
    if (!framework.pid.equals(from)) {
      this.drop(from, call, 'Call is not from registered framework');
      return;
    }
    if (!framework.connected) {
      this.frameworkError(from, 'Framework disconnected');
      return;
    }
    switch (call.type) {
      case 'TEARDOWN':
        this.removeFramework(framework, 'torn down by the framework');
        break;
      case 'ACCEPT':
        this.accept(framework, call);
        break;
      case 'DECLINE':
        for (const id of call.decline?.offer_ids ?? []) {
          this.removeOffer(framework, id.value);
        }
        this.applyFilter(framework, call.decline?.filters?.refuse_seconds);
        break;
      case 'REVIVE':
        framework.refuseUntil = 0;
        framework.suppressed = false;
        break;
      case 'SUPPRESS':
        framework.suppressed = true;
        break;
      case 'KILL':
        this.kill(framework, call);
        break;
      case 'ACKNOWLEDGE':
        this.acknowledge(framework, call);
        break;
      case 'RECONCILE':
        this.reconcile(framework, call);
        break;
      default:
        this.drop(from, call, `${String(call.type)} is not simulated`);
    }
  }

  @ProtobufMailbox(MesosMessage.DeactivateFramework)
  deactivate(
    @Payload() message: DeactivateFrameworkMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const framework = this.frameworks.get(message.framework_id.value);
    if (framework?.pid.equals(ctx.from)) {
      this.logger.log(`Deactivating framework ${framework.id}`);
      framework.active = false;
      this.rescindOffers(framework);
    }
  }

  /** An update from the agent: account for it, then forward it to a connected framework. */
  @ProtobufMailbox(MesosMessage.StatusUpdate)
  statusUpdate(
    @Payload() message: StatusUpdateMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.agent)) {
      this.logger.warn(
        `Ignoring a status update from ${ctx.from}: not an agent`,
      );
      return;
    }
    const { update } = message;
    const framework = this.frameworks.get(update.framework_id.value);
    const task = framework?.tasks.get(update.status.task_id.value);
    if (!framework || !task) {
      return; // The agent keeps retrying until the framework is shut down.
    }
    task.state = taskStateName(update.status.state);
    if (isTerminalState(task.state)) {
      task.released = true;
    }
    if (!framework.connected) {
      return; // Not forwarded; the agent re-sends it after its retry interval.
    }
    task.lastUuid = update.uuid
      ? Buffer.from(update.uuid).toString('hex')
      : undefined;
    this.actors.sendProto(framework.pid, MesosMessage.StatusUpdate, message, {
      from: this.self,
    });
  }

  @ProtobufMailbox(MesosMessage.ExitedExecutor)
  exitedExecutor(
    @Payload() message: ExitedExecutorMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const framework = this.frameworks.get(message.framework_id.value);
    if (ctx.from.equals(this.agent) && framework?.connected) {
      this.actors.sendProto(
        framework.pid,
        MesosMessage.ExitedExecutor,
        message,
        { from: this.self },
      );
    }
  }

  /**
   * The link to a framework broke (Master::exited): tell it (the send fails if it is really
   * gone), disconnect it and give it failover_timeout seconds to come back.
   */
  @OnExited()
  exited(pid: Upid): void {
    const framework = [...this.frameworks.values()].find((fw) =>
      fw.pid.equals(pid),
    );
    if (!framework || !framework.connected) {
      return;
    }
    this.frameworkError(pid, 'Framework disconnected');
    framework.connected = false;
    framework.active = false;
    this.dropOffers(framework);
    const timeout = framework.info.failover_timeout ?? 0;
    this.logger.log(
      `Framework ${framework.id} disconnected; giving it ${timeout}s to fail over`,
    );
    if (timeout > 0) {
      framework.failoverTimer = this.actors.delay(
        timeout * 1000,
        this.self,
        'failoverTimeout',
        framework.id,
        framework.epoch,
      );
    } else {
      this.removeFramework(framework, 'disconnected with failover_timeout 0');
    }
  }

  /** Timer target (runs on this process' queue). */
  failoverTimeout(frameworkId: string, epoch: number): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework && !framework.connected && framework.epoch === epoch) {
      this.removeFramework(framework, 'failover timeout');
    }
  }

  /** Timer target: one allocation per interval, like the Mesos allocator. */
  allocationCycle(): void {
    this.allocate();
    this.actors.delay(
      this.cluster.offerIntervalMs,
      this.self,
      'allocationCycle',
    );
  }

  /** Timer target: an offer nobody answered in time goes back to the pool. */
  offerTimeout(frameworkId: string, offerId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework?.offers.has(offerId)) {
      this.rescindOffer(framework, offerId);
    }
  }

  private subscribe(from: Upid, call: Call): void {
    const subscribe = call.subscribe;
    if (!subscribe) {
      this.drop(from, call, "Expecting 'subscribe' to be present");
      return;
    }
    const info = subscribe.framework_info;
    const requestedId = info.id?.value;
    if (call.framework_id && call.framework_id.value !== requestedId) {
      this.drop(
        from,
        call,
        "'framework_id' differs from 'subscribe.framework_info.id'",
      );
      return;
    }
    const failoverTimeout = info.failover_timeout ?? 0;
    if (!Number.isFinite(failoverTimeout) || failoverTimeout < 0) {
      this.frameworkError(from, `Invalid failover_timeout: ${failoverTimeout}`);
      return;
    }
    if (requestedId && this.completed.has(requestedId)) {
      this.frameworkError(from, 'Framework has been removed');
      return;
    }

    if (!requestedId) {
      const existing = [...this.frameworks.values()].find((fw) =>
        fw.pid.equals(from),
      );
      if (existing) {
        // A retried SUBSCRIBE: "Framework already subscribed, resending acknowledgement".
        this.registered(existing, MesosMessage.FrameworkRegistered);
        return;
      }
      const id = `${this.cluster.masterId}-${String(this.nextFrameworkId++).padStart(4, '0')}`;
      this.addFramework(id, info, from, 'registered');
      return;
    }

    const framework = this.frameworks.get(requestedId);
    if (!framework) {
      // Unknown to this master (e.g. it restarted): Mesos recovers the framework and, per the
      // driver API contract after a master failover, answers FrameworkRegisteredMessage.
      this.addFramework(requestedId, info, from, 'recovered');
      return;
    }
    if (!framework.pid.equals(from) && !subscribe.force) {
      this.frameworkError(from, 'Framework failed over');
      return;
    }
    framework.info = { ...info, id: { value: framework.id } };
    framework.epoch++;
    framework.failoverTimer?.cancel();
    if (!framework.pid.equals(from)) {
      // Scheduler failover (force): the old instance learns it was replaced.
      this.logger.log(`Framework ${framework.id} failed over to ${from}`);
      if (framework.connected) {
        this.frameworkError(framework.pid, 'Framework failed over');
      }
      this.actors.unlink(framework.pid, { from: this.self });
      this.dropOffers(framework);
      this.connect(framework, from);
      this.registered(framework, MesosMessage.FrameworkRegistered);
    } else {
      this.logger.log(`Framework ${framework.id} re-subscribed from ${from}`);
      this.rescindOffers(framework);
      this.connect(framework, from);
      this.registered(framework, MesosMessage.FrameworkReregistered);
    }
    this.allocate();
  }

  private addFramework(
    id: string,
    info: FrameworkInfo,
    from: Upid,
    how: string,
  ): void {
    const framework: SimulatedFramework = {
      id,
      info: { ...info, id: { value: id } },
      pid: from,
      connected: false,
      active: false,
      suppressed: false,
      refuseUntil: 0,
      offers: new Map(),
      tasks: new Map(),
      epoch: 0,
    };
    this.frameworks.set(id, framework);
    this.logger.log(`Framework ${id} (${info.name}) ${how} at ${from}`);
    this.connect(framework, from);
    this.registered(framework, MesosMessage.FrameworkRegistered);
    this.allocate();
  }

  /** The master links to the framework and sends it everything over that connection. */
  private connect(framework: SimulatedFramework, pid: Upid): void {
    framework.pid = pid;
    framework.connected = true;
    framework.active = true;
    this.actors.link(pid, { from: this.self });
  }

  private registered(framework: SimulatedFramework, kind: string): void {
    this.actors.sendProto(
      framework.pid,
      kind,
      { framework_id: { value: framework.id }, master_info: this.masterInfo },
      { from: this.self },
    );
  }

  private allocate(): void {
    const now = Date.now();
    for (const framework of this.frameworks.values()) {
      if (!framework.connected || !framework.active || framework.suppressed)
        continue;
      if (now < framework.refuseUntil || framework.offers.size > 0) continue;
      const free = this.available();
      if (free.cpus < MIN_CPUS || free.mem < MIN_MEM) continue;
      const offerId = `${this.cluster.masterId}-O${this.nextOfferId++}`;
      const offer: Offer = {
        id: { value: offerId },
        framework_id: { value: framework.id },
        slave_id: { value: this.cluster.agentId },
        hostname: this.cluster.hostname,
        url: {
          scheme: 'http',
          address: {
            hostname: this.cluster.hostname,
            ip: this.agent.host,
            port: this.agent.port,
          },
          path: `/${AGENT_PROCESS_ID}`,
        },
        resources: [
          scalarResource('cpus', free.cpus),
          scalarResource('mem', free.mem),
          scalarResource('disk', this.cluster.agentResources.disk),
        ],
      };
      const record: SimulatedOffer = { offer, resources: free };
      if (this.cluster.offerTimeoutMs !== undefined) {
        record.timeout = this.actors.delay(
          this.cluster.offerTimeoutMs,
          this.self,
          'offerTimeout',
          framework.id,
          offerId,
        );
      }
      framework.offers.set(offerId, record);
      this.actors.sendProto(
        framework.pid,
        MesosMessage.ResourceOffers,
        { offers: [offer], pids: [this.agent.toString()] },
        { from: this.self },
      );
    }
  }

  /** The agent's resources minus running tasks and outstanding offers. */
  private available(): Scalars {
    const free = {
      cpus: this.cluster.agentResources.cpus,
      mem: this.cluster.agentResources.mem,
    };
    for (const framework of this.frameworks.values()) {
      for (const { resources } of framework.offers.values()) {
        free.cpus -= resources.cpus;
        free.mem -= resources.mem;
      }
      for (const task of framework.tasks.values()) {
        if (!task.released) {
          free.cpus -= task.resources.cpus;
          free.mem -= task.resources.mem;
        }
      }
    }
    return {
      cpus: Math.max(0, Math.round(free.cpus * 1000) / 1000),
      mem: Math.max(0, free.mem),
    };
  }

  private accept(framework: SimulatedFramework, call: Call): void {
    const accept = call.accept ?? {};
    const offerIds = (accept.offer_ids ?? []).map((id) => id.value);
    const tasks = (accept.operations ?? [])
      .filter((operation) => operation.type === 'LAUNCH')
      .flatMap((operation) => operation.launch?.task_infos ?? []);
    const invalid =
      offerIds.length === 0 || offerIds.some((id) => !framework.offers.has(id));
    const remaining: Scalars = { cpus: 0, mem: 0 };
    for (const id of offerIds) {
      const record = framework.offers.get(id);
      if (record) {
        remaining.cpus += record.resources.cpus;
        remaining.mem += record.resources.mem;
        this.removeOffer(framework, id);
      }
    }
    this.applyFilter(framework, accept.filters?.refuse_seconds);
    for (const task of tasks) {
      if (invalid) {
        this.masterUpdate(
          framework,
          task.task_id.value,
          'TASK_LOST',
          'REASON_INVALID_OFFERS',
          'Task launched with invalid offers',
        );
        continue;
      }
      const error = this.validateTask(framework, task, remaining);
      if (error) {
        this.masterUpdate(
          framework,
          task.task_id.value,
          'TASK_ERROR',
          'REASON_TASK_INVALID',
          error,
        );
        continue;
      }
      const resources = scalars(task.resources);
      remaining.cpus -= resources.cpus;
      remaining.mem -= resources.mem;
      framework.tasks.set(task.task_id.value, {
        id: task.task_id.value,
        state: 'TASK_STAGING',
        resources,
        released: false,
      });
      this.actors.sendProto(
        this.agent,
        MesosMessage.RunTask,
        { framework: framework.info, task, pid: framework.pid.toString() },
        { from: this.self },
      );
    }
  }

  /** The checks of src/master/validation.cpp a simple command task can fail. */
  private validateTask(
    framework: SimulatedFramework,
    task: TaskInfo,
    remaining: Scalars,
  ): string | undefined {
    const resources = scalars(task.resources);
    const existing = framework.tasks.get(task.task_id.value);
    if (existing && !isTerminalState(existing.state)) {
      return `Task has duplicate ID: ${task.task_id.value}`;
    }
    if (task.slave_id.value !== this.cluster.agentId) {
      return `Task uses invalid agent: ${task.slave_id.value}`;
    }
    if (!task.command?.value) {
      return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    }
    if (resources.cpus <= 0 && resources.mem <= 0) {
      return 'Task uses no resources';
    }
    if (
      resources.cpus > remaining.cpus + 1e-6 ||
      resources.mem > remaining.mem + 1e-6
    ) {
      return `Task uses more resources (cpus ${resources.cpus}, mem ${resources.mem}) than available (cpus ${remaining.cpus}, mem ${remaining.mem})`;
    }
    return undefined;
  }

  private kill(framework: SimulatedFramework, call: Call): void {
    const taskId = call.kill?.task_id.value;
    const task = taskId ? framework.tasks.get(taskId) : undefined;
    if (!taskId) return;
    if (!task || isTerminalState(task.state)) {
      this.masterUpdate(
        framework,
        taskId,
        'TASK_LOST',
        'REASON_RECONCILIATION',
        'Attempted to kill an unknown task',
      );
      return;
    }
    this.actors.sendProto(
      this.agent,
      MesosMessage.KillTask,
      { framework_id: { value: framework.id }, task_id: { value: taskId } },
      { from: this.self },
    );
  }

  /** Forwards the acknowledgement to the agent; a terminal one removes the task. */
  private acknowledge(framework: SimulatedFramework, call: Call): void {
    const ack = call.acknowledge;
    if (!ack || Buffer.from(ack.uuid).length !== 16) {
      this.drop(framework.pid, call, 'Failed to parse UUID');
      return;
    }
    const task = framework.tasks.get(ack.task_id.value);
    if (!task) {
      this.drop(framework.pid, call, `Unknown task ${ack.task_id.value}`);
      return;
    }
    this.actors.sendProto(
      this.agent,
      MesosMessage.StatusUpdateAcknowledgement,
      {
        slave_id: ack.slave_id,
        framework_id: { value: framework.id },
        task_id: ack.task_id,
        uuid: ack.uuid,
      },
      { from: this.self },
    );
    if (
      isTerminalState(task.state) &&
      task.lastUuid === Buffer.from(ack.uuid).toString('hex')
    ) {
      framework.tasks.delete(task.id);
    }
  }

  /** Answers from the master's own view, without uuid (nothing to acknowledge). */
  private reconcile(framework: SimulatedFramework, call: Call): void {
    const requested = call.reconcile?.tasks ?? [];
    const ids =
      requested.length > 0
        ? requested.map((t) => t.task_id.value)
        : [...framework.tasks.keys()];
    for (const id of ids) {
      const task = framework.tasks.get(id);
      if (task) {
        this.masterUpdate(
          framework,
          id,
          task.state,
          'REASON_RECONCILIATION',
          'Reconciliation: Latest task state',
        );
      } else {
        // A framework that is not PARTITION_AWARE gets TASK_LOST for a task the master does not know.
        this.masterUpdate(
          framework,
          id,
          'TASK_LOST',
          'REASON_RECONCILIATION',
          'Reconciliation: Task is unknown',
        );
      }
    }
  }

  /** A master-generated update: no uuid, no acknowledgee pid, source MASTER. */
  private masterUpdate(
    framework: SimulatedFramework,
    taskId: string,
    state: TaskState,
    reason: TaskStatus_Reason,
    message: string,
  ): void {
    const timestamp = Date.now() / 1000;
    const status: TaskStatus = {
      task_id: { value: taskId },
      state,
      source: 'SOURCE_MASTER',
      reason,
      message,
      timestamp,
    };
    const update: StatusUpdate = {
      framework_id: { value: framework.id },
      status,
      timestamp,
    };
    this.actors.sendProto(
      framework.pid,
      MesosMessage.StatusUpdate,
      { update },
      { from: this.self },
    );
  }

  private removeFramework(framework: SimulatedFramework, why: string): void {
    this.logger.log(`Removing framework ${framework.id}: ${why}`);
    framework.failoverTimer?.cancel();
    this.dropOffers(framework);
    this.actors.sendProto(
      this.agent,
      MesosMessage.ShutdownFramework,
      { framework_id: { value: framework.id } },
      { from: this.self },
    );
    this.actors.unlink(framework.pid, { from: this.self });
    this.frameworks.delete(framework.id);
    this.completed.add(framework.id);
  }

  private applyFilter(
    framework: SimulatedFramework,
    refuseSeconds: number | undefined,
  ): void {
    // Filters default to 5 s; the simulator has one agent, so a filter covers all of it.
    framework.refuseUntil = Date.now() + (refuseSeconds ?? 5) * 1000;
  }

  private removeOffer(framework: SimulatedFramework, offerId: string): void {
    framework.offers.get(offerId)?.timeout?.cancel();
    framework.offers.delete(offerId);
  }

  private rescindOffer(framework: SimulatedFramework, offerId: string): void {
    this.removeOffer(framework, offerId);
    this.actors.sendProto(
      framework.pid,
      MesosMessage.RescindResourceOffer,
      { offer_id: { value: offerId } },
      { from: this.self },
    );
  }

  private rescindOffers(framework: SimulatedFramework): void {
    for (const offerId of [...framework.offers.keys()]) {
      this.rescindOffer(framework, offerId);
    }
  }

  /** Offers of a framework that cannot hear a rescind any more. */
  private dropOffers(framework: SimulatedFramework): void {
    for (const offerId of [...framework.offers.keys()]) {
      this.removeOffer(framework, offerId);
    }
  }

  private frameworkError(to: Upid, message: string): void {
    this.logger.log(`FrameworkErrorMessage to ${to}: ${message}`);
    this.actors.sendProto(
      to,
      MesosMessage.FrameworkError,
      { message },
      { from: this.self },
    );
  }

  /** Mesos drops invalid calls with a log line and no answer. */
  private drop(from: Upid, call: Call, why: string): void {
    this.logger.warn(`Dropping ${String(call.type)} call from ${from}: ${why}`);
  }
}
