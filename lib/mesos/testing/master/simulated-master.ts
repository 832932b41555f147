import type {
  Call,
  ExecutorInfo,
  FrameworkInfo,
  MasterInfo,
  Offer,
  Resource,
  StatusUpdate,
  StatusUpdateMessage,
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from '../../mesos.types.js';
import {
  isTerminalState,
  MesosMessage,
  taskStateName,
} from '../../mesos.constants.js';
import { Upid } from '../../../index.js';
import { Counters } from '../common/counters.js';
import { BoundedLog } from '../common/fifo.js';
import {
  add,
  contains,
  format,
  fromProto,
  type ResourceBag,
  subtract,
  toProto,
} from '../common/resources.js';
import { SIMULATOR_VERSION, SimulatorMessage } from '../simulator.constants.js';
import type { SimulatorClock } from '../simulator.options.js';
import { type AgentRecord, AgentRegistry } from './agent-registry.js';
import { allocate } from './allocator.js';
import {
  type FrameworkRecord,
  FrameworkRegistry,
  isPartitionAware,
  type TaskRecord,
} from './framework-registry.js';
import type { MasterLog, MasterOutbox } from './master-outbox.js';
import { masterStatusUpdate, NO_ACKNOWLEDGEE } from './status-updates.js';
import { validateTask, validateTaskGroupExecutor } from './task-validation.js';
import { RUN_TASK_GROUP } from '../simulator-internal.js';

/** A task as an agent reports it when it (re-)registers. */
export interface ReportedTask {
  frameworkId: string;
  framework: FrameworkInfo;
  taskId: string;
  info: TaskInfo;
  state: TaskState;
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
}

/** What an agent tells the master when it (re-)registers (simulator-internal, JSON). */
export interface AgentReport {
  id: string;
  pid: string;
  hostname: string;
  resources: Resource[];
  tasks: ReportedTask[];
}

/** A message the master received, for tests (the latest 10,000). */
export interface ReceivedMessage {
  from: string;
  name: string;
  body: unknown;
}

/** Settings of one master incarnation. */
export interface MasterSettings {
  masterId: string;
  hostname: string;
  clock: SimulatorClock;
  offerTimeoutMs?: number;
  authenticateFrameworks: boolean;
}

/** An IPv4 address as MasterInfo.ip: the network-order bytes read as a little-endian uint32. */
export function ipToUint32(ip: string): number {
  const octets = ip.split('.').map(Number);
  return octets.length === 4 &&
    octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)
    ? Buffer.from(octets).readUInt32LE(0)
    : 0;
}

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex') : undefined;

/** The tasks of a LAUNCH or a LAUNCH_GROUP operation. */
const tasksOf = (op: any): TaskInfo[] =>
  (op.type === 'LAUNCH_GROUP'
    ? op.launch_group?.task_group?.tasks
    : op.launch?.task_infos) ?? [];

/**
 * The scheduler-facing logic of src/master/master.cpp for pid-based frameworks: subscription
 * (with failover decided by `force`), the Call handlers, offers, status update forwarding,
 * reconciliation and framework removal, over a {@link FrameworkRegistry} and an
 * {@link AgentRegistry}, with the allocator as a pure function. It talks to the world only
 * through a {@link MasterOutbox}, so it runs without sockets in unit tests.
 */
export class SimulatedMaster {
  readonly frameworks: FrameworkRegistry;
  readonly agents = new AgentRegistry();
  readonly received = new BoundedLog<ReceivedMessage>(10_000);
  /** pid -> principal of authenticated schedulers (Master::authenticated). */
  readonly authenticated = new Map<string, string>();
  /** The real master's counters of what tests compare (`/metrics/snapshot`). */
  readonly metrics = new Counters([
    'master/messages_framework_to_executor',
    'master/valid_framework_to_executor_messages',
    'master/invalid_framework_to_executor_messages',
  ] as const);
  private nextOfferId = 0;

  constructor(
    readonly self: Upid,
    readonly settings: MasterSettings,
    private readonly outbox: MasterOutbox,
    readonly log: MasterLog,
  ) {
    this.frameworks = new FrameworkRegistry(settings.masterId);
  }

  private now(): number {
    return this.settings.clock.now();
  }

  get info(): MasterInfo {
    return {
      id: this.settings.masterId,
      ip: ipToUint32(this.self.host),
      port: this.self.port,
      pid: this.self.toString(),
      hostname: this.settings.hostname,
      version: SIMULATOR_VERSION,
      address: {
        hostname: this.settings.hostname,
        ip: this.self.host,
        port: this.self.port,
      },
    };
  }

  record(from: Upid, name: string, body: unknown): void {
    this.received.push({ from: from.toString(), name, body });
  }

  // ---- Master::receive(const UPID&, Call&&) -----------------------------------------------

  receiveCall(from: Upid, call: Call): void {
    const error = this.validateCall(call);
    if (error) {
      this.drop(from, call, error);
      return;
    }
    if (call.type === 'SUBSCRIBE') {
      this.subscribe(
        from,
        call.subscribe!.framework_info!,
        Boolean(call.subscribe!.force),
      );
      return;
    }
    const framework = this.frameworks.get(call.framework_id?.value);
    if (!framework) {
      this.drop(from, call, 'Framework cannot be found');
      return;
    }
    if (!framework.pid?.equals(from)) {
      this.drop(from, call, 'Call is not from registered framework');
      return;
    }
    // A one-way partition: the master's link to the framework broke but the framework does
    // not know. The driver aborts on this error.
    if (!framework.connected) {
      const message = 'Framework disconnected';
      this.log.info(
        `Refusing ${call.type} call from framework ${framework.id} (${framework.info.name}) at ${from}: ${message}`,
      );
      this.outbox.send(from, MesosMessage.FrameworkError, { message });
      return;
    }
    this.handle(framework, call);
  }

  /** validation::scheduler::call::validate, the parts that apply to the fields we decode. */
  private validateCall(call: Call): string | undefined {
    if (!call.type) return "Expecting 'type' to be present";
    if (call.type === 'SUBSCRIBE') {
      if (!call.subscribe) return "Expecting 'subscribe' to be present";
      const info = call.subscribe.framework_info;
      if (!info) return "Expecting 'framework_info' to be present";
      if (call.framework_id && call.framework_id.value !== info.id?.value) {
        return "'framework_id' differs from 'subscribe.framework_info.id'";
      }
      return undefined;
    }
    if (!call.framework_id) return "Expecting 'framework_id' to be present";
    const body: Record<string, string> = {
      ACCEPT: 'accept',
      DECLINE: 'decline',
      KILL: 'kill',
      ACKNOWLEDGE: 'acknowledge',
      MESSAGE: 'message',
      SHUTDOWN: 'shutdown',
      UPDATE_FRAMEWORK: 'update_framework',
    };
    const field = body[call.type];
    if (field && !(call as Record<string, unknown>)[field]) {
      return `Expecting '${field}' to be present`;
    }
    if (
      call.type === 'ACKNOWLEDGE' &&
      Buffer.from(call.acknowledge!.uuid ?? []).length !== 16
    ) {
      return 'Failed to parse UUID: the uuid must be 16 bytes';
    }
    return undefined;
  }

  /** The Call handlers, once the framework and its pid are checked. */
  handle(framework: FrameworkRecord, call: Call): void {
    const c = call as any;
    switch (call.type) {
      case 'TEARDOWN':
        this.log.info(`Processing TEARDOWN call for framework ${framework.id}`);
        this.removeFramework(framework);
        break;
      case 'ACCEPT':
        this.accept(framework, c.accept);
        break;
      case 'DECLINE':
        this.decline(
          framework,
          c.decline.offer_ids ?? [],
          c.decline.filters?.refuse_seconds,
        );
        break;
      case 'ACCEPT_INVERSE_OFFERS':
      case 'DECLINE_INVERSE_OFFERS': {
        const body = c.accept_inverse_offers ?? c.decline_inverse_offers ?? {};
        for (const id of body.inverse_offer_ids ?? []) {
          framework.inverseOffers.delete(id.value);
        }
        this.log.info(
          `Processing ${call.type} call for framework ${framework.id}`,
        );
        break;
      }
      case 'REVIVE':
        this.log.info(`Processing REVIVE call for framework ${framework.id}`);
        framework.filters.clear();
        framework.suppressed = false;
        this.allocate();
        break;
      case 'SUPPRESS':
        this.log.info(`Processing SUPPRESS call for framework ${framework.id}`);
        framework.suppressed = true;
        break;
      case 'KILL':
        this.kill(framework, c.kill.task_id.value, c.kill.slave_id?.value);
        break;
      case 'SHUTDOWN':
        this.shutdownExecutor(
          framework,
          c.shutdown.slave_id.value,
          c.shutdown.executor_id.value,
        );
        break;
      case 'ACKNOWLEDGE':
        this.acknowledge(framework, c.acknowledge);
        break;
      case 'RECONCILE':
        this.reconcile(framework, c.reconcile?.tasks ?? []);
        break;
      case 'MESSAGE':
        this.message(framework, c.message);
        break;
      case 'REQUEST':
        // The allocator ignores resource requests (HierarchicalAllocator::requestResources).
        this.log.info(`Processing REQUEST call for framework ${framework.id}`);
        break;
      case 'UPDATE_FRAMEWORK':
        this.updateFramework(framework, c.update_framework.framework_info);
        break;
      case 'ACKNOWLEDGE_OPERATION_STATUS':
      case 'RECONCILE_OPERATIONS':
        this.drop(
          framework.pid!,
          call,
          `'${call.type}' is not supported by the v0 API`,
        );
        break;
      default:
        this.log.warn(
          `'${String(call.type)}' call from framework ${framework.id} dropped: unknown call type`,
        );
    }
  }

  // ---- subscription ------------------------------------------------------------------------

  /** Master::subscribe(const UPID&, Call::Subscribe&&) and _subscribe. */
  subscribe(from: Upid, info: FrameworkInfo, force: boolean): void {
    const refuse = (error: string) => {
      this.log.info(
        `Refusing subscription of framework '${info.name}' at ${from}: ${error}`,
      );
      this.outbox.send(from, MesosMessage.FrameworkError, { message: error });
    };
    const requestedId = info.id?.value || undefined;
    const failoverTimeout = info.failover_timeout ?? 0;
    if (!Number.isFinite(failoverTimeout) || failoverTimeout < 0) {
      return refuse(`Invalid failover_timeout: ${failoverTimeout}`);
    }
    if (requestedId && this.frameworks.isCompleted(requestedId)) {
      return refuse('Framework has been removed');
    }
    const principal = this.authenticated.get(from.toString());
    if (this.settings.authenticateFrameworks && principal === undefined) {
      return refuse(`Framework at ${from} is not authenticated`);
    }
    if (
      info.principal &&
      principal !== undefined &&
      info.principal !== principal
    ) {
      return refuse(
        `Framework principal '${info.principal}' does not match authenticated principal '${principal}'`,
      );
    }
    if (!info.principal && principal !== undefined) {
      this.log.warn(
        `Setting 'principal' in FrameworkInfo to '${principal}' because the framework authenticated with that principal but did not set it in FrameworkInfo`,
      );
      info = { ...info, principal };
    }
    this.log.info(
      `Received SUBSCRIBE call for framework '${info.name}' at ${from}`,
    );

    if (!requestedId) {
      const existing = this.frameworks.findByPid(from);
      if (existing) {
        this.log.info(
          `Framework ${existing.id} already subscribed, resending acknowledgement`,
        );
        this.sendRegistered(existing, MesosMessage.FrameworkRegistered);
        return;
      }
      const id = this.frameworks.newFrameworkId();
      const framework = this.frameworks.add(
        { ...info, id: { value: id } },
        from,
        this.now(),
      );
      this.log.info(`Subscribing framework ${info.name} as ${id}`);
      this.outbox.link(from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
      this.allocate();
      return;
    }

    const owner = this.frameworks.findByPid(from);
    if (owner && owner.id !== requestedId) {
      this.log.warn(
        `Dropping SUBSCRIBE call for framework '${info.name}': ${owner.id} already connected at ${from}`,
      );
      return;
    }
    let framework = this.frameworks.get(requestedId);
    if (!framework) {
      // Not known to this master (it failed over, and no agent reported the framework's tasks
      // yet): recover it from the FrameworkInfo the scheduler sent.
      framework = this.frameworks.add(info, undefined, this.now());
    }
    if (!framework.recovered && !framework.pid?.equals(from) && !force) {
      this.log.warn(
        `Disallowing subscription attempt of framework ${framework.id} because it is not expected from ${from}`,
      );
      this.outbox.send(from, MesosMessage.FrameworkError, {
        message: 'Framework failed over',
      });
      return;
    }
    framework.info = { ...info, id: { value: framework.id } };
    framework.reregisteredTime = this.now();
    if (framework.recovered) {
      // connectAndActivateRecoveredFramework: FrameworkRegisteredMessage "per the API contract".
      framework.recovered = false;
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
    } else if (force) {
      this.log.info(`Framework ${framework.id} failed over`);
      // The old scheduler is told only if it is another pid and still connected.
      if (framework.pid && !framework.pid.equals(from) && framework.connected) {
        this.outbox.send(framework.pid, MesosMessage.FrameworkError, {
          message: 'Framework failed over',
        });
      }
      for (const offerId of [...framework.offers.keys()])
        this.discardOffer(offerId);
      framework.inverseOffers.clear();
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
    } else {
      this.log.info(
        `Allowing framework ${framework.id} to subscribe with an already used id`,
      );
      for (const offerId of [...framework.offers.keys()])
        this.rescindOffer(offerId);
      framework.inverseOffers.clear();
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkReregistered);
    }
    this.sendFrameworkUpdates(framework);
    this.allocate();
  }

  private connect(framework: FrameworkRecord, pid: Upid): void {
    this.frameworks.setPid(framework, pid);
    framework.connected = true;
    framework.active = true;
    this.outbox.link(pid);
  }

  private sendRegistered(framework: FrameworkRecord, type: string): void {
    this.outbox.send(framework.pid!, type, {
      framework_id: { value: framework.id },
      master_info: this.info,
    });
  }

  /** UpdateFrameworkMessage to every registered agent: they re-send pending updates at once. */
  private sendFrameworkUpdates(framework: FrameworkRecord): void {
    for (const agent of this.agents.all()) {
      if (agent.standing !== 'registered' || !agent.connected) continue;
      this.outbox.send(agent.pid, SimulatorMessage.UpdateFramework, {
        framework_id: { value: framework.id },
        pid: framework.pid?.toString() ?? '',
        framework_info: framework.info,
      });
    }
  }

  private updateFramework(
    framework: FrameworkRecord,
    info: FrameworkInfo,
  ): void {
    if (info.id?.value !== framework.id) {
      const message = `Updating framework ${framework.id} failed: 'framework_info.id' is not the framework's id`;
      this.outbox.send(framework.pid!, MesosMessage.FrameworkError, {
        message,
      });
      return;
    }
    this.log.info(
      `Processing UPDATE_FRAMEWORK call for framework ${framework.id}`,
    );
    framework.info = { ...info, id: { value: framework.id } };
    this.sendFrameworkUpdates(framework);
  }

  /** DeactivateFrameworkMessage (the driver's abort()). */
  deactivateFramework(from: Upid, frameworkId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) {
      this.log.warn(
        `Ignoring deactivate framework message for framework ${frameworkId} because the framework cannot be found`,
      );
      return;
    }
    if (!framework.pid?.equals(from)) {
      this.log.warn(
        `Ignoring deactivate framework message for framework ${frameworkId} because it is not expected from ${from}`,
      );
      return;
    }
    if (!framework.connected) {
      this.log.info(
        `Ignoring deactivate framework message for framework ${frameworkId} because it is disconnected`,
      );
      return;
    }
    if (framework.active) this.deactivate(framework, true);
  }

  private deactivate(framework: FrameworkRecord, rescind: boolean): void {
    this.log.info(`Deactivating framework ${framework.id}`);
    framework.active = false;
    for (const offerId of [...framework.offers.keys()]) {
      if (rescind) this.rescindOffer(offerId);
      else this.discardOffer(offerId);
    }
    framework.inverseOffers.clear();
  }

  /**
   * Master::exited: the master's link to the scheduler broke. The framework is told (the send
   * fails if it is really gone), disconnected, its offers rescinded, and it has
   * failover_timeout to come back.
   */
  frameworkExited(pid: Upid): void {
    const framework = this.frameworks.findByPid(pid);
    if (!framework) return;
    this.outbox.send(pid, MesosMessage.FrameworkError, {
      message: 'Framework disconnected',
    });
    this.log.info(`Framework ${framework.id} disconnected`);
    if (framework.connected) {
      if (framework.active) this.deactivate(framework, true);
      framework.connected = false;
      this.authenticated.delete(pid.toString());
    }
    const timeout = framework.info.failover_timeout ?? 0;
    this.log.info(
      `Giving framework ${framework.id} ${timeout}secs to failover`,
    );
    this.outbox.later(
      timeout * 1000,
      'frameworkFailoverTimeout',
      framework.id,
      framework.reregisteredTime,
    );
  }

  frameworkFailoverTimeout(
    frameworkId: string,
    reregisteredTime: number,
  ): void {
    const framework = this.frameworks.get(frameworkId);
    if (
      framework &&
      !framework.connected &&
      framework.reregisteredTime === reregisteredTime
    ) {
      this.log.info(
        `Framework failover timeout, removing framework ${framework.id}`,
      );
      this.removeFramework(framework);
    }
  }

  /** Master::removeFramework: tasks killed (ShutdownFrameworkMessage), framework completed. */
  removeFramework(framework: FrameworkRecord): void {
    this.log.info(
      `Removing framework ${framework.id} (${framework.info.name})`,
    );
    if (framework.active) this.deactivate(framework, false);
    for (const agent of this.agents.all()) {
      if (agent.standing === 'registered' && agent.connected) {
        this.outbox.send(agent.pid, MesosMessage.ShutdownFramework, {
          framework_id: { value: framework.id },
        });
      }
    }
    for (const task of [...framework.tasks.values()]) {
      if (!isTerminalState(task.state)) task.state = 'TASK_KILLED';
      this.frameworks.removeTask(framework, task.taskId);
    }
    if (framework.pid) {
      this.authenticated.delete(framework.pid.toString());
      this.outbox.unlink(framework.pid);
    }
    this.frameworks.remove(framework, this.now());
  }

  // ---- offers ----------------------------------------------------------------------------

  /** One allocation cycle: the allocator decides, the master makes the offers. */
  allocate(): void {
    const agents = [...this.agents.all()]
      .filter((a) => a.standing === 'registered')
      .map((agent) => ({
        id: agent.id,
        total: agent.total,
        active: agent.connected,
        available: this.available(agent),
      }));
    const frameworks = [...this.frameworks.all()].map((f) => ({
      id: f.id,
      active: f.connected && f.active,
      suppressed: f.suppressed,
      allocated: this.frameworks.allocated(f),
      filters: f.filters,
    }));
    for (const allocation of allocate(agents, frameworks, this.now())) {
      const framework = this.frameworks.get(allocation.frameworkId)!;
      const agent = this.agents.get(allocation.agentId)!;
      this.offer(framework, agent, allocation.resources);
    }
  }

  /** The agent's total minus what its live tasks use minus what is offered. */
  available(agent: AgentRecord): ResourceBag {
    let used: ResourceBag = new Map();
    for (const framework of this.frameworks.all()) {
      for (const task of framework.tasks.values()) {
        if (task.agentId === agent.id && !isTerminalState(task.state)) {
          used = add(used, task.resources);
        }
      }
    }
    for (const offer of this.frameworks.allOffers()) {
      if (offer.agentId === agent.id) used = add(used, offer.resources);
    }
    return subtract(agent.total, used);
  }

  private offer(
    framework: FrameworkRecord,
    agent: AgentRecord,
    resources: ResourceBag,
  ): void {
    const offerId = `${this.settings.masterId}-O${this.nextOfferId++}`;
    const offer = {
      id: { value: offerId },
      framework_id: { value: framework.id },
      slave_id: { value: agent.id },
      hostname: agent.hostname,
      url: {
        scheme: 'http',
        address: {
          hostname: agent.hostname,
          ip: agent.pid.host,
          port: agent.pid.port,
        },
        path: `/${agent.pid.id}`,
      },
      resources: toProto(resources),
      attributes: [],
      executor_ids: [],
    } as unknown as Offer;
    const record = {
      offer,
      frameworkId: framework.id,
      agentId: agent.id,
      resources,
    };
    if (this.settings.offerTimeoutMs !== undefined) {
      Object.assign(record, {
        timeout: this.outbox.later(
          this.settings.offerTimeoutMs,
          'offerTimeout',
          offerId,
        ),
      });
    }
    this.frameworks.addOffer(framework, record);
    this.outbox.send(framework.pid!, MesosMessage.ResourceOffers, {
      offers: [offer],
      pids: [agent.pid.toString()],
    });
  }

  offerTimeout(offerId: string): void {
    if (this.frameworks.getOffer(offerId)) {
      this.log.info(`Offer ${offerId} timed out, rescinding`);
      this.rescindOffer(offerId);
    }
  }

  /** Removes an offer and tells its framework (RescindResourceOfferMessage). */
  rescindOffer(offerId: string): void {
    const record = this.frameworks.removeOffer(offerId);
    const framework = record && this.frameworks.get(record.frameworkId);
    if (framework?.pid) {
      this.outbox.send(framework.pid, MesosMessage.RescindResourceOffer, {
        offer_id: { value: offerId },
      });
    }
  }

  /** Removes an offer without telling the framework (it used or declined it, or failed over). */
  discardOffer(offerId: string, refuseSeconds?: number): void {
    const record = this.frameworks.removeOffer(offerId);
    if (!record) return;
    const framework = this.frameworks.get(record.frameworkId);
    // Filters default to 5 s (mesos.proto Filters.refuse_seconds).
    const seconds = refuseSeconds ?? 5;
    if (framework && seconds > 0) {
      framework.filters.set(record.agentId, this.now() + seconds * 1000);
    }
  }

  private decline(
    framework: FrameworkRecord,
    offerIds: Array<{ value: string }>,
    refuseSeconds: number | undefined,
  ): void {
    this.log.info(
      `Processing DECLINE call for offers: [ ${offerIds.map((o) => o.value).join(', ')} ] for framework ${framework.id} with ${refuseSeconds ?? 5} seconds filter`,
    );
    for (const { value } of offerIds) {
      if (framework.offers.has(value)) {
        this.discardOffer(value, refuseSeconds);
      } else {
        this.log.warn(
          `Ignoring decline of offer ${value} since it is no longer valid`,
        );
      }
    }
  }

  // ---- ACCEPT ----------------------------------------------------------------------------

  private accept(framework: FrameworkRecord, accept: any): void {
    const offerIds: string[] = (accept.offer_ids ?? []).map(
      (o: { value: string }) => o.value,
    );
    const operations: any[] = accept.operations ?? [];
    const refuseSeconds = accept.filters?.refuse_seconds;
    const error = this.validateOffers(framework, offerIds);
    const launches = operations.filter((op) => op.type === 'LAUNCH');
    if (error) {
      for (const offerId of offerIds) {
        if (this.frameworks.getOffer(offerId)) this.discardOffer(offerId);
        else
          this.log.warn(
            `Ignoring accept of offer ${offerId} since it is no longer valid`,
          );
      }
      this.log.warn(
        `ACCEPT call used invalid offers '[ ${offerIds.join(', ')} ]': ${error}`,
      );
      const state: TaskState = isPartitionAware(framework)
        ? 'TASK_DROPPED'
        : 'TASK_LOST';
      for (const op of operations) {
        if (op.type !== 'LAUNCH' && op.type !== 'LAUNCH_GROUP') {
          this.dropOperation(
            framework,
            op,
            `Operation attempted with invalid offers: ${error}`,
          );
          continue;
        }
        for (const task of tasksOf(op)) {
          this.forwardMasterUpdate(
            framework,
            task,
            state,
            'REASON_INVALID_OFFERS',
            `Task launched with invalid offers: ${error}`,
          );
        }
      }
      return;
    }
    if (
      launches.length === 0 ||
      launches.every((op) => (op.launch?.task_infos ?? []).length === 0)
    ) {
      if (operations.every((op) => op.type === 'LAUNCH')) {
        this.log.warn(
          `Implicitly declining offers: [ ${offerIds.join(', ')} ] in ACCEPT call for framework ${framework.id} as the launch operation specified no tasks`,
        );
      }
    }
    const first = this.frameworks.getOffer(offerIds[0])!;
    const agent = this.agents.get(first.agentId)!;
    let remaining: ResourceBag = new Map();
    for (const offerId of offerIds) {
      remaining = add(remaining, this.frameworks.getOffer(offerId)!.resources);
      this.discardOffer(offerId, refuseSeconds);
    }
    for (const op of operations) {
      if (op.type === 'LAUNCH_GROUP') {
        remaining = this.launchGroup(framework, agent, op, remaining);
        continue;
      }
      if (op.type !== 'LAUNCH') {
        this.dropOperation(
          framework,
          op,
          'the simulator only runs LAUNCH and LAUNCH_GROUP operations',
        );
        continue;
      }
      for (const task of (op.launch?.task_infos ?? []) as TaskInfo[]) {
        if (agent.standing !== 'registered' || !agent.connected) {
          const removed = agent.standing !== 'registered';
          this.forwardMasterUpdate(
            framework,
            task,
            isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
            removed ? 'REASON_SLAVE_REMOVED' : 'REASON_SLAVE_DISCONNECTED',
            `Agent ${agent.hostname} is ${removed ? 'removed' : 'disconnected'}`,
          );
          continue;
        }
        const invalid = validateTask(task, {
          agentId: agent.id,
          available: remaining,
          hasTask: (id) => framework.tasks.has(id),
          hasUnreachableTask: (id) => framework.unreachableTasks.has(id),
        });
        if (invalid) {
          this.forwardMasterUpdate(
            framework,
            task,
            'TASK_ERROR',
            'REASON_TASK_INVALID',
            invalid,
          );
          continue;
        }
        const resources = fromProto(task.resources);
        remaining = subtract(remaining, resources);
        const taskId = task.task_id!.value;
        framework.tasks.set(taskId, {
          frameworkId: framework.id,
          taskId,
          agentId: agent.id,
          info: task,
          resources,
          state: 'TASK_STAGING',
        });
        this.log.info(
          `Launching task ${taskId} of framework ${framework.id} with resources ${format(resources)} on agent ${agent.id}`,
        );
        this.outbox.send(agent.pid, MesosMessage.RunTask, {
          framework: framework.info,
          task,
          pid: framework.pid!.toString(),
        });
      }
    }
  }

  /**
   * LAUNCH_GROUP (Master::_accept): the group is validated as a whole (the first error fails
   * every task with TASK_ERROR, REASON_TASK_GROUP_INVALID), then its tasks are recorded and
   * sent to the agent with their executor. Returns what is left of the offered resources.
   */
  private launchGroup(
    framework: FrameworkRecord,
    agent: AgentRecord,
    op: any,
    available: ResourceBag,
  ): ResourceBag {
    const executor: ExecutorInfo | undefined = op.launch_group?.executor;
    const tasks = tasksOf(op);
    if (agent.standing !== 'registered' || !agent.connected) {
      const removed = agent.standing !== 'registered';
      for (const task of tasks) {
        this.forwardMasterUpdate(
          framework,
          task,
          isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
          removed ? 'REASON_SLAVE_REMOVED' : 'REASON_SLAVE_DISCONNECTED',
          `Agent ${agent.hostname} is ${removed ? 'removed' : 'disconnected'}`,
        );
      }
      return available;
    }
    let error: string | undefined;
    for (const task of tasks) {
      const invalid = validateTask(task, {
        agentId: agent.id,
        available,
        hasTask: (id) => framework.tasks.has(id),
        hasUnreachableTask: (id) => framework.unreachableTasks.has(id),
      });
      if (invalid) {
        error = `Task '${task.task_id?.value}' is invalid: ${invalid}`;
        break;
      }
    }
    error ??= validateTaskGroupExecutor(executor);
    const total = [executor?.resources, ...tasks.map((t) => t.resources)]
      .map((r) => fromProto(r))
      .reduce(add, new Map());
    if (!error && !contains(available, total)) {
      error = `Total resources ${format(total)} required by task group and its executor are more than available ${format(available)}`;
    }
    if (error) {
      for (const task of tasks) {
        this.forwardMasterUpdate(
          framework,
          task,
          'TASK_ERROR',
          'REASON_TASK_GROUP_INVALID',
          error,
        );
      }
      return available;
    }
    for (const task of tasks) {
      const taskId = task.task_id!.value;
      framework.tasks.set(taskId, {
        frameworkId: framework.id,
        taskId,
        agentId: agent.id,
        info: task,
        resources: fromProto(task.resources),
        state: 'TASK_STAGING',
      });
    }
    this.log.info(
      `Launching task group { ${tasks.map((t) => t.task_id!.value).join(', ')} } of framework ${framework.id} with resources ${format(subtract(total, fromProto(executor!.resources)))} on agent ${agent.id} on  new executor`,
    );
    this.outbox.sendInternal(agent.pid, RUN_TASK_GROUP, {
      framework: framework.info,
      executor,
      tasks,
    });
    return subtract(available, total);
  }

  /** validation::offer::validate. */
  private validateOffers(
    framework: FrameworkRecord,
    offerIds: string[],
  ): string | undefined {
    if (offerIds.length === 0) return 'No offers specified';
    const seen = new Set<string>();
    let agentId: string | undefined;
    for (const offerId of offerIds) {
      const offer = this.frameworks.getOffer(offerId);
      if (!offer) return `Offer ${offerId} is no longer valid`;
      if (seen.has(offerId)) return `Duplicate offer ${offerId} in offer list`;
      seen.add(offerId);
      if (offer.frameworkId !== framework.id) {
        return `Offer ${offerId} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
      }
      if (agentId !== undefined && offer.agentId !== agentId) {
        return `Aggregated offers must belong to one single agent. Offer ${offerId} uses agent ${offer.agentId} and agent ${agentId}`;
      }
      agentId = offer.agentId;
    }
    return undefined;
  }

  /** Master::drop(Framework*, Operation, message): v0 operations get no feedback, only a log line. */
  private dropOperation(
    framework: FrameworkRecord,
    operation: any,
    message: string,
  ): void {
    this.log.warn(
      `Dropping ${String(operation.type)} operation from framework ${framework.id}: ${message}`,
    );
  }

  // ---- KILL, ACKNOWLEDGE, RECONCILE, MESSAGE, SHUTDOWN ------------------------------------

  private kill(
    framework: FrameworkRecord,
    taskId: string,
    agentId?: string,
  ): void {
    this.log.info(
      `Processing KILL call for task '${taskId}' of framework ${framework.id}`,
    );
    const task = framework.tasks.get(taskId);
    if (!task) {
      this.log.warn(
        `Cannot kill task ${taskId} of framework ${framework.id} because it is unknown; performing reconciliation`,
      );
      this.reconcile(framework, [
        {
          task_id: { value: taskId },
          ...(agentId && { slave_id: { value: agentId } }),
        },
      ]);
      return;
    }
    if (agentId !== undefined && agentId !== task.agentId) {
      this.log.warn(
        `Cannot kill task ${taskId} of agent ${agentId} of framework ${framework.id} because it belongs to different agent ${task.agentId}`,
      );
      return;
    }
    const agent = this.agents.registered(task.agentId);
    if (agent?.connected) {
      this.outbox.send(agent.pid, MesosMessage.KillTask, {
        framework_id: { value: framework.id },
        task_id: { value: taskId },
      });
    } else {
      this.log.warn(
        `Cannot kill task ${taskId} of framework ${framework.id} because the agent ${task.agentId} is disconnected. Kill will be retried if the agent reregisters`,
      );
    }
  }

  private acknowledge(framework: FrameworkRecord, ack: any): void {
    const agentId: string = ack.slave_id?.value;
    const taskId: string = ack.task_id?.value;
    const uuid = hex(ack.uuid)!;
    const agent = this.agents.registered(agentId);
    if (!agent) {
      this.log.warn(
        `Cannot send status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because agent is not registered`,
      );
      return;
    }
    if (!agent.connected) {
      this.log.warn(
        `Cannot send status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because agent is disconnected`,
      );
      return;
    }
    this.log.info(
      `Processing ACKNOWLEDGE call for status ${uuid} for task ${taskId} of framework ${framework.id} on agent ${agentId}`,
    );
    const task = framework.tasks.get(taskId);
    if (task && task.agentId === agentId) {
      if (task.statusUpdateState === undefined) {
        this.log.warn(
          `Ignoring status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because the update was not sent by this master`,
        );
        return;
      }
      if (
        isTerminalState(taskStateName(task.statusUpdateState)) &&
        task.statusUpdateUuid === uuid
      ) {
        this.frameworks.removeTask(framework, taskId);
      }
    }
    // Forwarded even for a task the master does not know: the agent may (master failover).
    this.outbox.send(agent.pid, MesosMessage.StatusUpdateAcknowledgement, {
      slave_id: { value: agentId },
      framework_id: { value: framework.id },
      task_id: { value: taskId },
      uuid: ack.uuid,
    });
  }

  /** Master::reconcile: the six cases of explicit reconciliation, and implicit reconciliation. */
  reconcile(framework: FrameworkRecord, tasks: any[]): void {
    const pa = isPartitionAware(framework);
    const send = (update: StatusUpdate) =>
      // No pid: reconciliation answers are never acknowledged.
      this.outbox.send(framework.pid!, MesosMessage.StatusUpdate, { update });
    const latest = (task: TaskRecord) =>
      masterStatusUpdate({
        frameworkId: framework.id,
        agentId: task.agentId,
        taskId: task.taskId,
        state: task.statusUpdateState ?? task.state,
        message: 'Reconciliation: Latest task state',
        reason: 'REASON_RECONCILIATION',
        now: this.now(),
      });
    if (tasks.length === 0) {
      this.log.info(
        `Performing implicit task state reconciliation for framework ${framework.id}`,
      );
      for (const task of framework.tasks.values()) send(latest(task));
      return;
    }
    this.log.info(
      `Performing explicit task state reconciliation for ${tasks.length} tasks of framework ${framework.id}`,
    );
    for (const t of tasks) {
      const taskId: string = t.task_id?.value ?? '';
      const agentId: string | undefined = t.slave_id?.value;
      const task = framework.tasks.get(taskId);
      const agent = this.agents.get(agentId);
      const update = (
        state: TaskState,
        message: string,
        unreachableTime?: number,
      ) =>
        send(
          masterStatusUpdate({
            frameworkId: framework.id,
            agentId,
            taskId,
            state: pa ? state : 'TASK_LOST',
            message,
            reason: 'REASON_RECONCILIATION',
            unreachableTime,
            now: this.now(),
          }),
        );
      if (task) {
        send(latest(task));
      } else if (
        (agentId !== undefined && agent?.standing === 'recovered') ||
        (agentId === undefined && this.agents.anyRecovered())
      ) {
        this.log.info(
          `Dropping reconciliation of task ${taskId} for framework ${framework.id} because ${agentId !== undefined ? `agent ${agentId} has` : 'some agents have'} not yet reregistered with the master`,
        );
      } else if (agentId !== undefined && agent?.standing === 'registered') {
        update('TASK_GONE', 'Reconciliation: Task is unknown to the agent');
      } else if (agentId !== undefined && agent?.standing === 'unreachable') {
        update(
          'TASK_UNREACHABLE',
          'Reconciliation: Task is unreachable',
          agent.unreachableTime,
        );
      } else if (agentId !== undefined && agent?.standing === 'gone') {
        update('TASK_GONE_BY_OPERATOR', 'Reconciliation: Task is gone');
      } else {
        update('TASK_UNKNOWN', 'Reconciliation: Task is unknown');
      }
    }
  }

  private message(framework: FrameworkRecord, message: any): void {
    this.metrics.increment('master/messages_framework_to_executor');
    const agent = this.agents.registered(message.slave_id?.value);
    if (!agent || !agent.connected) {
      this.metrics.increment('master/invalid_framework_to_executor_messages');
      this.log.warn(
        `Cannot send framework message for framework ${framework.id} to agent ${message.slave_id?.value} because agent is ${agent ? 'disconnected' : 'not registered'}`,
      );
      return;
    }
    this.log.info(
      `Processing MESSAGE call from framework ${framework.id} to agent ${agent.id}`,
    );
    this.outbox.send(agent.pid, SimulatorMessage.FrameworkToExecutor, {
      slave_id: message.slave_id,
      framework_id: { value: framework.id },
      executor_id: message.executor_id,
      data: message.data,
    });
    this.metrics.increment('master/valid_framework_to_executor_messages');
  }

  private shutdownExecutor(
    framework: FrameworkRecord,
    agentId: string,
    executorId: string,
  ): void {
    const agent = this.agents.registered(agentId);
    if (!agent?.connected) {
      this.log.warn(
        `Cannot shut down executor ${executorId} of framework ${framework.id} on agent ${agentId}: agent not connected`,
      );
      return;
    }
    this.log.info(
      `Processing SHUTDOWN call for executor '${executorId}' of framework ${framework.id} on agent ${agentId}`,
    );
    this.outbox.send(agent.pid, SimulatorMessage.ShutdownExecutor, {
      executor_id: { value: executorId },
      framework_id: { value: framework.id },
    });
  }

  // ---- status updates --------------------------------------------------------------------

  /** Master::statusUpdate: an update from an agent, forwarded with the agent as acknowledgee. */
  statusUpdate(message: StatusUpdateMessage): void {
    const update = message.update!;
    const agentId = update.slave_id?.value;
    const agent = this.agents.get(agentId);
    if (!agent || agent.standing !== 'registered') {
      this.log.warn(
        `Ignoring status update for task ${update.status?.task_id?.value} from ${agent ? 'removed' : 'unknown'} agent ${message.pid} with id ${agentId}`,
      );
      return;
    }
    const framework = this.frameworks.get(update.framework_id?.value);
    if (framework?.connected) {
      this.forward(update, message.pid ?? NO_ACKNOWLEDGEE, framework);
    } else {
      this.log.warn(
        `Received status update ${taskStateName(update.status?.state)} for task ${update.status?.task_id?.value} from agent ${agentId} for ${framework ? 'a disconnected' : 'an unknown'} framework`,
      );
    }
    const task = framework?.tasks.get(update.status?.task_id?.value ?? '');
    if (!task || task.agentId !== agentId) return;
    task.state = update.status!.state;
    task.status = update.status;
  }

  private forward(
    update: StatusUpdate,
    acknowledgee: string,
    framework: FrameworkRecord,
  ): void {
    const task = framework.tasks.get(update.status?.task_id?.value ?? '');
    if (task && update.uuid) {
      task.statusUpdateState = update.status!.state;
      task.statusUpdateUuid = hex(update.status?.uuid ?? update.uuid);
    }
    this.outbox.send(framework.pid!, MesosMessage.StatusUpdate, {
      update,
      pid: acknowledgee,
    });
  }

  /** A master-generated update, forwarded as master.cpp does: `pid` "@0.0.0.0:0", no uuid. */
  private forwardMasterUpdate(
    framework: FrameworkRecord,
    task: TaskInfo,
    state: TaskState,
    reason: TaskStatus_Reason,
    message: string,
  ): void {
    this.log.info(
      `Sending status update ${state} for task ${task.task_id?.value} of framework ${framework.id} '${message}'`,
    );
    this.forward(
      masterStatusUpdate({
        frameworkId: framework.id,
        agentId: task.slave_id?.value,
        taskId: task.task_id?.value ?? '',
        state,
        message,
        reason,
        now: this.now(),
      }),
      NO_ACKNOWLEDGEE,
      framework,
    );
  }

  /** ExitedExecutorMessage from an agent, relayed to a connected framework. */
  exitedExecutor(message: any): void {
    const framework = this.frameworks.get(message.framework_id?.value);
    if (framework?.connected) {
      this.outbox.send(framework.pid!, MesosMessage.ExitedExecutor, message);
    }
  }

  // ---- agents ----------------------------------------------------------------------------

  /**
   * An agent (re-)registered with the tasks it runs. Frameworks this master does not know are
   * recovered from the agent's report (Framework::RECOVERED), as after a master failover. An
   * agent that was marked unreachable comes back: the tasks of frameworks that are not
   * PARTITION_AWARE were reported lost, so they are shut down on it.
   */
  agentRegistered(report: AgentReport): void {
    const previous = this.agents.get(report.id);
    const wasUnreachable = previous?.standing === 'unreachable';
    const pid = Upid.parse(report.pid);
    this.agents.set({
      id: report.id,
      pid,
      hostname: report.hostname,
      total: fromProto(report.resources),
      standing: 'registered',
      connected: true,
      registeredTime: this.now(),
    });
    this.log.info(
      `${previous ? 'Re-registered' : 'Registered'} agent ${report.id} at ${pid} (${report.hostname})`,
    );
    for (const reported of report.tasks) {
      let framework = this.frameworks.get(reported.frameworkId);
      if (!framework) {
        if (this.frameworks.isCompleted(reported.frameworkId)) {
          this.outbox.send(pid, MesosMessage.ShutdownFramework, {
            framework_id: { value: reported.frameworkId },
          });
          continue;
        }
        framework = this.frameworks.add(
          reported.framework,
          undefined,
          this.now(),
        );
        this.log.info(
          `Recovered framework ${framework.id} from agent ${report.id}`,
        );
      }
      if (wasUnreachable && !isPartitionAware(framework)) {
        this.log.info(
          `Shutting down framework ${framework.id} on re-registered agent ${report.id}: it is not partition-aware`,
        );
        this.outbox.send(pid, MesosMessage.ShutdownFramework, {
          framework_id: { value: framework.id },
        });
        continue;
      }
      framework.unreachableTasks.delete(reported.taskId);
      if (!framework.tasks.has(reported.taskId)) {
        framework.tasks.set(reported.taskId, {
          frameworkId: framework.id,
          taskId: reported.taskId,
          agentId: report.id,
          info: reported.info,
          resources: fromProto(reported.info.resources),
          state: reported.state,
          statusUpdateState: reported.statusUpdateState,
          statusUpdateUuid: reported.statusUpdateUuid,
        });
      }
    }
    this.allocate();
  }

  /**
   * The agent failed its health checks (Master::markUnreachable, then __removeSlave): its
   * tasks become TASK_UNREACHABLE (TASK_LOST for frameworks that are not PARTITION_AWARE) with
   * REASON_SLAVE_REMOVED, its offers are rescinded and every framework gets LostSlaveMessage.
   */
  markUnreachable(agentId: string, message = 'health check timed out'): void {
    const agent = this.agents.registered(agentId);
    if (!agent) return;
    const unreachableTime = this.now();
    this.log.info(
      `Marking agent ${agentId} (${agent.hostname}) unreachable: ${message}`,
    );
    agent.standing = 'unreachable';
    agent.connected = false;
    agent.unreachableTime = unreachableTime;
    for (const framework of this.frameworks.all()) {
      for (const task of [...framework.tasks.values()]) {
        if (task.agentId !== agentId) continue;
        const pa = isPartitionAware(framework);
        const update = masterStatusUpdate({
          frameworkId: framework.id,
          agentId,
          taskId: task.taskId,
          state: pa ? 'TASK_UNREACHABLE' : 'TASK_LOST',
          message,
          reason: 'REASON_SLAVE_REMOVED',
          unreachableTime,
          now: unreachableTime,
        });
        task.state = update.status!.state;
        this.frameworks.removeTask(framework, task.taskId);
        framework.unreachableTasks.add(task.taskId);
        if (framework.connected)
          this.forward(update, NO_ACKNOWLEDGEE, framework);
        else
          this.log.warn(
            `Dropping update ${update.status!.state} for task ${task.taskId} for disconnected framework ${framework.id}`,
          );
      }
    }
    for (const offer of [...this.frameworks.allOffers()]) {
      if (offer.agentId === agentId) this.rescindOffer(offer.offer.id!.value);
    }
    for (const framework of this.frameworks.all()) {
      if (!framework.connected) continue;
      this.log.info(
        `Notifying framework ${framework.id} of lost agent ${agentId} (${agent.hostname})`,
      );
      this.outbox.send(framework.pid!, MesosMessage.LostSlave, {
        slave_id: { value: agentId },
      });
    }
  }

  /** Agents of the persistent registry after a failover: known, but not yet re-registered. */
  recoverAgents(
    agents: Array<Pick<AgentRecord, 'id' | 'pid' | 'hostname' | 'total'>>,
  ): void {
    for (const agent of agents) {
      this.agents.set({
        ...agent,
        standing: 'recovered',
        connected: false,
        registeredTime: this.now(),
      });
    }
    if (agents.length > 0) {
      this.log.info(
        `Recovered ${agents.length} agents from the registry; allowing 10mins for agents to reregister`,
      );
    }
  }

  /** Recovered agents that did not re-register in time are marked unreachable (and lost). */
  recoveredAgentsTimeout(): void {
    for (const agent of this.agents.withStanding('recovered')) {
      agent.standing = 'unreachable';
      agent.unreachableTime = this.now();
      for (const framework of this.frameworks.all()) {
        if (framework.connected) {
          this.outbox.send(framework.pid!, MesosMessage.LostSlave, {
            slave_id: { value: agent.id },
          });
        }
      }
    }
  }

  /** Drops a call with master.cpp's log line; nothing is answered. */
  drop(from: Upid, call: Call, why: string): void {
    this.log.warn(
      `Dropping ${String(call.type ?? 'UNKNOWN')} call from framework ${call.framework_id?.value ?? ''} at ${from}: ${why}`,
    );
  }
}
