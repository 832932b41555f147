import type {
  FrameworkInfo,
  Offer,
  TaskInfo,
  TaskState,
  TaskStatus,
} from '../../mesos.types.js';
import type { DelayHandle, Upid } from '../../../index.js';
import { BoundedLog } from '../common/fifo.js';
import { add, type ResourceBag } from '../common/resources.js';

/** A task the master knows, with what it last told the framework about it. */
export interface TaskRecord {
  frameworkId: string;
  taskId: string;
  agentId: string;
  info: TaskInfo;
  resources: ResourceBag;
  /** The latest state the agent reported. */
  state: TaskState;
  /** The latest status (for the state endpoint). */
  status?: TaskStatus;
  /** State and uuid of the last update forwarded with a uuid (Task.status_update_state/uuid). */
  statusUpdateState?: TaskState;
  statusUpdateUuid?: string;
}

export interface OfferRecord {
  offer: Offer;
  frameworkId: string;
  agentId: string;
  resources: ResourceBag;
  timeout?: DelayHandle;
}

export interface InverseOfferRecord {
  id: string;
  frameworkId: string;
  agentId: string;
}

export interface FrameworkRecord {
  id: string;
  info: FrameworkInfo;
  /** Undefined while only known from re-registered agents after a master failover. */
  pid?: Upid;
  connected: boolean;
  active: boolean;
  /** Known from agents after a master failover but not yet re-subscribed (Framework::RECOVERED). */
  recovered: boolean;
  suppressed: boolean;
  offers: Map<string, OfferRecord>;
  inverseOffers: Map<string, InverseOfferRecord>;
  tasks: Map<string, TaskRecord>;
  /** Tasks whose terminal update was acknowledged (newest last; bounded). */
  completedTasks: BoundedLog<TaskRecord>;
  /** Ids of tasks lost with an unreachable agent (Framework::unreachableTasks). */
  unreachableTasks: Set<string>;
  /** Refusal filters: agent id -> no offers of it before this time (ms). */
  filters: Map<string, number>;
  registeredTime: number;
  /** Changes on every (re-)subscription: a stale failover timer compares it. */
  reregisteredTime: number;
  unregisteredTime?: number;
}

/** Mesos' `--max_completed_frameworks` and `--max_completed_tasks_per_framework` defaults. */
export const MAX_COMPLETED_FRAMEWORKS = 50;
export const MAX_COMPLETED_TASKS_PER_FRAMEWORK = 1000;

/** FrameworkInfo.capabilities (not in every trimmed proto: read defensively). */
export function hasCapability(
  info: FrameworkInfo,
  capability: string,
): boolean {
  const capabilities = (info as { capabilities?: Array<{ type?: unknown }> })
    .capabilities;
  return (capabilities ?? []).some((c) => c.type === capability);
}

/** protobuf::framework::getRoles: `roles` of a MULTI_ROLE framework, else its one `role`. */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE')
    ? [...(info.roles ?? [])]
    : [info.role || '*'];
}

/**
 * validation::framework::validateSuppressedRoles (SUBSCRIBE and UPDATE_FRAMEWORK): a role can
 * only be suppressed if it is one of the framework's. The roles are listed as stout prints a
 * `std::set`: sorted, once each.
 */
export function suppressedRolesError(
  info: FrameworkInfo,
  suppressedRoles: readonly string[],
): string | undefined {
  const roles = new Set(frameworkRoles(info));
  const invalid = [...new Set(suppressedRoles)]
    .filter((role) => !roles.has(role))
    .sort();
  return invalid.length > 0
    ? `Suppressed roles { ${invalid.join(', ')} } are not contained in the set of roles`
    : undefined;
}

/**
 * Applies a framework's set of suppressed roles (SUBSCRIBE, UPDATE_FRAMEWORK: the set replaces
 * the previous one). One allocation role per framework here: suppressed when all of its roles
 * are. Says whether the framework was unsuppressed by it.
 */
export function setSuppressedRoles(
  framework: FrameworkRecord,
  suppressedRoles: readonly string[],
): boolean {
  const wasSuppressed = framework.suppressed;
  framework.suppressed = frameworkRoles(framework.info).every((role) =>
    suppressedRoles.includes(role),
  );
  return wasSuppressed && !framework.suppressed;
}

export function isPartitionAware(framework: FrameworkRecord): boolean {
  return hasCapability(framework.info, 'PARTITION_AWARE');
}

/**
 * The frameworks of the simulated master (Master::frameworks): registered ones by id and by
 * pid, and the recently completed ones, bounded as in Mesos (a framework removed longer ago
 * than the last {@link MAX_COMPLETED_FRAMEWORKS} removals may register again with its old id).
 * Pure state: no sockets, no timers.
 */
export class FrameworkRegistry {
  private readonly registered = new Map<string, FrameworkRecord>();
  private readonly byPid = new Map<string, string>();
  private readonly completed = new Map<string, FrameworkRecord>();
  private readonly offers = new Map<string, OfferRecord>();
  private nextId = 0;

  constructor(
    private readonly masterId: string,
    private readonly maxCompleted = MAX_COMPLETED_FRAMEWORKS,
  ) {}

  /** `<master id>-<4 digits>`, as Master::newFrameworkId. */
  newFrameworkId(): string {
    return `${this.masterId}-${String(this.nextId++).padStart(4, '0')}`;
  }

  add(
    info: FrameworkInfo,
    pid: Upid | undefined,
    now: number,
  ): FrameworkRecord {
    const id = info.id?.value;
    if (!id) throw new Error('A framework needs an id to be added');
    const framework: FrameworkRecord = {
      id,
      info,
      pid,
      connected: pid !== undefined,
      active: pid !== undefined,
      recovered: pid === undefined,
      suppressed: false,
      offers: new Map(),
      inverseOffers: new Map(),
      tasks: new Map(),
      completedTasks: new BoundedLog(MAX_COMPLETED_TASKS_PER_FRAMEWORK),
      unreachableTasks: new Set(),
      filters: new Map(),
      registeredTime: now,
      reregisteredTime: now,
    };
    this.registered.set(id, framework);
    if (pid) this.byPid.set(pid.toString(), id);
    return framework;
  }

  get(id: string | undefined): FrameworkRecord | undefined {
    return id === undefined ? undefined : this.registered.get(id);
  }

  findByPid(pid: Upid): FrameworkRecord | undefined {
    const id = this.byPid.get(pid.toString());
    return id === undefined ? undefined : this.registered.get(id);
  }

  all(): IterableIterator<FrameworkRecord> {
    return this.registered.values();
  }

  get size(): number {
    return this.registered.size;
  }

  /** Points the framework at a (new) scheduler pid. */
  setPid(framework: FrameworkRecord, pid: Upid): void {
    if (framework.pid) this.byPid.delete(framework.pid.toString());
    framework.pid = pid;
    this.byPid.set(pid.toString(), framework.id);
  }

  /** Removes a framework for good: it becomes a completed framework. */
  remove(framework: FrameworkRecord, now: number): void {
    for (const offerId of framework.offers.keys()) this.offers.delete(offerId);
    framework.offers.clear();
    framework.inverseOffers.clear();
    framework.connected = false;
    framework.active = false;
    framework.unregisteredTime = now;
    this.registered.delete(framework.id);
    if (
      framework.pid &&
      this.byPid.get(framework.pid.toString()) === framework.id
    ) {
      this.byPid.delete(framework.pid.toString());
    }
    this.completed.delete(framework.id);
    this.completed.set(framework.id, framework);
    if (this.completed.size > this.maxCompleted) {
      this.completed.delete(this.completed.keys().next().value as string);
    }
  }

  isCompleted(id: string): boolean {
    return this.completed.has(id);
  }

  completedFrameworks(): IterableIterator<FrameworkRecord> {
    return this.completed.values();
  }

  /** Forgets everything (a master failover with the in-memory registry). */
  clear(): void {
    this.registered.clear();
    this.byPid.clear();
    this.completed.clear();
    this.offers.clear();
  }

  addOffer(framework: FrameworkRecord, record: OfferRecord): void {
    framework.offers.set(record.offer.id!.value, record);
    this.offers.set(record.offer.id!.value, record);
  }

  getOffer(offerId: string): OfferRecord | undefined {
    return this.offers.get(offerId);
  }

  removeOffer(offerId: string): OfferRecord | undefined {
    const record = this.offers.get(offerId);
    if (!record) return undefined;
    record.timeout?.cancel();
    this.offers.delete(offerId);
    this.registered.get(record.frameworkId)?.offers.delete(offerId);
    return record;
  }

  allOffers(): IterableIterator<OfferRecord> {
    return this.offers.values();
  }

  /** A terminal update was acknowledged (or the task was lost with its agent): forget it. */
  removeTask(
    framework: FrameworkRecord,
    taskId: string,
  ): TaskRecord | undefined {
    const task = framework.tasks.get(taskId);
    if (!task) return undefined;
    framework.tasks.delete(taskId);
    framework.completedTasks.push(task);
    return task;
  }

  /** What the framework's tasks use and its offers hold (for the allocator's shares). */
  allocated(framework: FrameworkRecord): ResourceBag {
    let sum: ResourceBag = new Map();
    for (const task of framework.tasks.values()) sum = add(sum, task.resources);
    for (const offer of framework.offers.values())
      sum = add(sum, offer.resources);
    return sum;
  }
}
