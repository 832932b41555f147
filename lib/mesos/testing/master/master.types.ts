import type {
  FrameworkInfo,
  Resource,
  TaskInfo,
  TaskState,
} from '../../mesos.types.js';
import type { SimulatorClock } from '../simulator.options.js';

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
