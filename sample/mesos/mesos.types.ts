/**
 * Plain-object shapes of the decoded Mesos protobufs this sample uses (field names in snake_case,
 * as protobufjs produces them with `keepCase`). Only the fields the sample reads or writes are
 * typed; `sample/proto/*.proto` is the source of truth for the wire.
 */

export interface IdValue {
  value: string;
}

export type FrameworkID = IdValue;
export type OfferID = IdValue;
export type SlaveID = IdValue;
export type TaskID = IdValue;
export type ExecutorID = IdValue;

/** Enum values arrive as names or, for values missing from the trimmed enums, as numbers. */
export type EnumValue = string | number;

/** Bytes fields decode to a Buffer (a Uint8Array in general) and are sent as Buffers. */
export type Bytes = Uint8Array;

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  hostname?: string;
  principal?: string;
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
}

export interface ScalarResource {
  name: string;
  type: EnumValue;
  scalar?: { value: number };
  ranges?: { range?: Array<{ begin: number | string; end: number | string }> };
  set?: { item?: string[] };
  role?: string;
}

export type Resource = ScalarResource;

export interface CommandInfo {
  value?: string;
  shell?: boolean;
  arguments?: string[];
  user?: string;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  slave_id: SlaveID;
  resources?: Resource[];
  command?: CommandInfo;
}

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  slave_id: SlaveID;
  hostname: string;
  url?: { scheme: string; address: Address; path?: string };
  resources?: Resource[];
}

export interface TaskStatus {
  task_id: TaskID;
  state: EnumValue;
  message?: string;
  source?: EnumValue;
  reason?: EnumValue;
  slave_id?: SlaveID;
  executor_id?: ExecutorID;
  timestamp?: number;
  uuid?: Bytes;
}

export interface StatusUpdate {
  framework_id: FrameworkID;
  executor_id?: ExecutorID;
  slave_id?: SlaveID;
  status: TaskStatus;
  timestamp: number;
  uuid?: Bytes;
  latest_state?: EnumValue;
}

/** `mesos.internal.StatusUpdateMessage` */
export interface StatusUpdateMessage {
  update: StatusUpdate;
  pid?: string;
}

/** `mesos.internal.FrameworkRegisteredMessage` and `FrameworkReregisteredMessage` */
export interface FrameworkRegisteredMessage {
  framework_id: FrameworkID;
  master_info: MasterInfo;
}

/** `mesos.internal.ResourceOffersMessage` */
export interface ResourceOffersMessage {
  offers?: Offer[];
  pids?: string[];
}

/** `mesos.internal.RescindResourceOfferMessage` */
export interface RescindResourceOfferMessage {
  offer_id: OfferID;
}

/** `mesos.internal.LostSlaveMessage` */
export interface LostSlaveMessage {
  slave_id: SlaveID;
}

/** `mesos.internal.ExitedExecutorMessage` */
export interface ExitedExecutorMessage {
  slave_id: SlaveID;
  framework_id: FrameworkID;
  executor_id: ExecutorID;
  status: number;
}

/** `mesos.internal.ExecutorToFrameworkMessage` */
export interface ExecutorToFrameworkMessage {
  slave_id: SlaveID;
  framework_id: FrameworkID;
  executor_id: ExecutorID;
  data: Bytes;
}

/** `mesos.internal.FrameworkErrorMessage` */
export interface FrameworkErrorMessage {
  message: string;
}

/** `mesos.internal.DeactivateFrameworkMessage` */
export interface DeactivateFrameworkMessage {
  framework_id: FrameworkID;
}

/** `mesos.internal.RunTaskMessage` (master -> agent, simulator only) */
export interface RunTaskMessage {
  framework: FrameworkInfo;
  task: TaskInfo;
  pid?: string;
}

/** `mesos.internal.KillTaskMessage` (master -> agent, simulator only) */
export interface KillTaskMessage {
  framework_id: FrameworkID;
  task_id: TaskID;
}

/** `mesos.internal.ShutdownFrameworkMessage` (master -> agent, simulator only) */
export interface ShutdownFrameworkMessage {
  framework_id: FrameworkID;
}

/** `mesos.internal.StatusUpdateAcknowledgementMessage` (master -> agent, simulator only) */
export interface StatusUpdateAcknowledgementMessage {
  slave_id: SlaveID;
  framework_id: FrameworkID;
  task_id: TaskID;
  uuid: Bytes;
}

export interface Filters {
  refuse_seconds?: number;
}

export interface OfferOperation {
  type: EnumValue;
  launch?: { task_infos?: TaskInfo[] };
}

/** `mesos.scheduler.Call` */
export interface Call {
  framework_id?: FrameworkID;
  type: EnumValue;
  subscribe?: {
    framework_info: FrameworkInfo;
    force?: boolean;
    suppressed_roles?: string[];
  };
  accept?: {
    offer_ids?: OfferID[];
    operations?: OfferOperation[];
    filters?: Filters;
  };
  decline?: { offer_ids?: OfferID[]; filters?: Filters };
  revive?: { roles?: string[] };
  kill?: { task_id: TaskID; slave_id?: SlaveID };
  acknowledge?: { slave_id: SlaveID; task_id: TaskID; uuid: Bytes };
  reconcile?: { tasks?: Array<{ task_id: TaskID; slave_id?: SlaveID }> };
  message?: { slave_id: SlaveID; executor_id: ExecutorID; data: Bytes };
  suppress?: { roles?: string[] };
}
