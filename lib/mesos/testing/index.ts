/**
 * `nestjs-libprocess/mesos/testing`: a simulated Mesos master and agents for testing
 * frameworks (a test double, not Mesos; see the README).
 */
export { cramMd5Response, type Credential } from './auth/cram-md5.js';
export { AgentProcess, type AgentSettings } from './agent/agent.process.js';
export {
  STATUS_UPDATE_RETRY_INTERVAL_MAX_MS,
  STATUS_UPDATE_RETRY_INTERVAL_MIN_MS,
} from './agent/status-update-stream.js';
export type { MasterLogEntry } from './master/master-outbox.js';
export { MasterProcess } from './master/master.process.js';
export type { ReceivedMessage } from './master/simulated-master.js';
export {
  type FailoverOptions,
  MesosSimulator,
  type ReceivedCall,
} from './mesos-simulator.js';
export { NO_ACKNOWLEDGEE } from './master/status-updates.js';
export {
  DEFAULT_AGENT_RESOURCES,
  type MesosSimulatorOptions,
  type SimulatedAgentOptions,
  type SimulatorClock,
  SYSTEM_CLOCK,
} from './simulator.options.js';
export { masterInfoJson, parseZkUrl } from './zookeeper/master-contender.js';
