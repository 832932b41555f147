import type {
  Call,
  FrameworkInfo,
  MasterInfo,
  StatusUpdateMessage,
} from '../../mesos.types.js';
import { MesosMessage } from '../../mesos.constants.js';
import { Upid } from '../../../index.js';
import { Counters } from '../common/counters.js';
import { BoundedLog } from '../common/fifo.js';
import type { ResourceBag } from '../common/resources.js';
import { SIMULATOR_VERSION } from '../simulator.constants.js';
import { type AgentRecord, AgentRegistry } from './agent-registry.js';
import {
  type FrameworkRecord,
  FrameworkRegistry,
} from './framework-registry.js';
import type { MasterLog, MasterOutbox } from './master-outbox.js';
import { FrameworkLifecycle } from './framework-lifecycle.js';
import { MasterOffers } from './master-offers.js';
import { AcceptCall } from './accept-call.js';
import { TaskCalls } from './task-calls.js';
import { StatusUpdateRelay } from './status-update-relay.js';
import { AgentLifecycle } from './agent-lifecycle.js';

import type {
  AgentReport,
  MasterSettings,
  ReceivedMessage,
} from './master.types.js';
export type {
  AgentReport,
  MasterSettings,
  ReceivedMessage,
  ReportedTask,
} from './master.types.js';

/** An IPv4 address as MasterInfo.ip: the network-order bytes read as a little-endian uint32. */
export function ipToUint32(ip: string): number {
  const octets = ip.split('.').map(Number);
  return octets.length === 4 &&
    octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255)
    ? Buffer.from(octets).readUInt32LE(0)
    : 0;
}

/**
 * The scheduler-facing logic of src/master/master.cpp for pid-based frameworks: subscription
 * (with failover decided by `force`), the Call handlers, offers, status update forwarding,
 * reconciliation and framework removal, over a {@link FrameworkRegistry} and an
 * {@link AgentRegistry}, with the allocator as a pure function. It talks to the world only
 * through a {@link MasterOutbox}, so it runs without sockets in unit tests.
 *
 * This class holds the state, receives the calls (validation, dispatch) and owns one part per
 * role: {@link FrameworkLifecycle} (subscription to removal), {@link MasterOffers},
 * {@link AcceptCall} (LAUNCH, LAUNCH_GROUP), {@link TaskCalls} (KILL, ACKNOWLEDGE, RECONCILE,
 * MESSAGE, SHUTDOWN), {@link StatusUpdateRelay} and {@link AgentLifecycle}.
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
    'master/valid_status_update_acknowledgements',
    'master/invalid_status_update_acknowledgements',
  ] as const);
  readonly frameworkLifecycle = new FrameworkLifecycle(this);
  readonly offers = new MasterOffers(this);
  readonly acceptCall = new AcceptCall(this);
  readonly taskCalls = new TaskCalls(this);
  readonly updates = new StatusUpdateRelay(this);
  readonly agentLifecycle = new AgentLifecycle(this);

  constructor(
    readonly self: Upid,
    readonly settings: MasterSettings,
    readonly outbox: MasterOutbox,
    readonly log: MasterLog,
  ) {
    this.frameworks = new FrameworkRegistry(settings.masterId);
  }

  now(): number {
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

  receiveCall(from: Upid, call: Call): void {
    const error = this.validateCall(call);
    if (error) {
      this.drop(from, call, error);
      return;
    }
    if (call.type === 'SUBSCRIBE') {
      this.frameworkLifecycle.subscribe(
        from,
        call.subscribe!.framework_info!,
        Boolean(call.subscribe!.force),
        call.subscribe!.suppressed_roles ?? [],
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
      call.type === 'UPDATE_FRAMEWORK' &&
      call.framework_id.value !==
        call.update_framework!.framework_info.id?.value
    ) {
      return "'framework_id' differs from 'update_framework.framework_info.id'";
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
        this.frameworkLifecycle.removeFramework(framework);
        break;
      case 'ACCEPT':
        this.acceptCall.accept(framework, c.accept);
        break;
      case 'DECLINE':
        this.offers.decline(
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
        this.offers.allocate();
        break;
      case 'SUPPRESS':
        this.log.info(`Processing SUPPRESS call for framework ${framework.id}`);
        framework.suppressed = true;
        break;
      case 'KILL':
        this.taskCalls.kill(
          framework,
          c.kill.task_id.value,
          c.kill.slave_id?.value,
          c.kill.kill_policy,
        );
        break;
      case 'SHUTDOWN':
        this.taskCalls.shutdownExecutor(
          framework,
          c.shutdown.slave_id.value,
          c.shutdown.executor_id.value,
        );
        break;
      case 'ACKNOWLEDGE':
        this.taskCalls.acknowledge(framework, c.acknowledge);
        break;
      case 'RECONCILE':
        this.taskCalls.reconcile(framework, c.reconcile?.tasks ?? []);
        break;
      case 'MESSAGE':
        this.taskCalls.message(framework, c.message);
        break;
      case 'REQUEST':
        // The allocator ignores resource requests (HierarchicalAllocator::requestResources).
        this.log.info(`Processing REQUEST call for framework ${framework.id}`);
        break;
      case 'UPDATE_FRAMEWORK':
        this.frameworkLifecycle.updateFramework(
          framework,
          c.update_framework.framework_info,
          c.update_framework.suppressed_roles ?? [],
        );
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

  /** Drops a call with master.cpp's log line; nothing is answered. */
  drop(from: Upid, call: Call, why: string): void {
    this.log.warn(
      `Dropping ${String(call.type ?? 'UNKNOWN')} call from framework ${call.framework_id?.value ?? ''} at ${from}: ${why}`,
    );
    // Metrics::incrementInvalidSchedulerCalls: the calls that have an "invalid" counter.
    if (call.type === 'ACKNOWLEDGE') {
      this.metrics.increment('master/invalid_status_update_acknowledgements');
    } else if (call.type === 'MESSAGE') {
      this.metrics.increment('master/invalid_framework_to_executor_messages');
    }
  }

  // ---- entry points of the parts: for the process adapter, the timers `outbox.later` names
  // (MasterProcess.timer calls them here), the state endpoint and unit tests

  subscribe(
    from: Upid,
    info: FrameworkInfo,
    force: boolean,
    suppressedRoles: readonly string[] = [],
  ): void {
    this.frameworkLifecycle.subscribe(from, info, force, suppressedRoles);
  }

  deactivateFramework(from: Upid, frameworkId: string): void {
    this.frameworkLifecycle.deactivateFramework(from, frameworkId);
  }

  frameworkExited(pid: Upid): void {
    this.frameworkLifecycle.frameworkExited(pid);
  }

  frameworkFailoverTimeout(
    frameworkId: string,
    reregisteredTime: number,
  ): void {
    this.frameworkLifecycle.frameworkFailoverTimeout(
      frameworkId,
      reregisteredTime,
    );
  }

  allocate(): void {
    this.offers.allocate();
  }

  available(agent: AgentRecord): ResourceBag {
    return this.offers.available(agent);
  }

  offerTimeout(offerId: string): void {
    this.offers.offerTimeout(offerId);
  }

  statusUpdate(message: StatusUpdateMessage): void {
    this.updates.statusUpdate(message);
  }

  exitedExecutor(message: any): void {
    this.updates.exitedExecutor(message);
  }

  agentRegistered(report: AgentReport): void {
    this.agentLifecycle.agentRegistered(report);
  }

  markUnreachable(agentId: string, message = 'health check timed out'): void {
    this.agentLifecycle.markUnreachable(agentId, message);
  }

  recoverAgents(
    agents: Array<Pick<AgentRecord, 'id' | 'pid' | 'hostname' | 'total'>>,
  ): void {
    this.agentLifecycle.recoverAgents(agents);
  }

  recoveredAgentsTimeout(): void {
    this.agentLifecycle.recoveredAgentsTimeout();
  }
}
