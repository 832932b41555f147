/** The version the simulated master reports (it follows src/master/master.cpp of Mesos 1.12). */
export const SIMULATOR_VERSION = '1.12.0';

/** Process ids: `master` and the agents `slave(N)`, as on a Mesos node. */
export const MASTER_PROCESS_ID = 'master';
export const agentProcessId = (index: number) => `slave(${index + 1})`;

/** Message names (= protobuf full names) the simulator handles beyond the driver's. */
export const SimulatorMessage = {
  RegisterFramework: 'mesos.internal.RegisterFrameworkMessage',
  ReregisterFramework: 'mesos.internal.ReregisterFrameworkMessage',
  UpdateFramework: 'mesos.internal.UpdateFrameworkMessage',
  ShutdownExecutor: 'mesos.internal.ShutdownExecutorMessage',
  FrameworkToExecutor: 'mesos.internal.FrameworkToExecutorMessage',
  InverseOffers: 'mesos.internal.InverseOffersMessage',
  Authenticate: 'mesos.internal.AuthenticateMessage',
  AuthenticationMechanisms: 'mesos.internal.AuthenticationMechanismsMessage',
  AuthenticationStart: 'mesos.internal.AuthenticationStartMessage',
  AuthenticationStep: 'mesos.internal.AuthenticationStepMessage',
  AuthenticationCompleted: 'mesos.internal.AuthenticationCompletedMessage',
  AuthenticationFailed: 'mesos.internal.AuthenticationFailedMessage',
  AuthenticationError: 'mesos.internal.AuthenticationErrorMessage',
} as const;

/**
 * Messages a real master installs handlers for that the simulator does not implement (agent
 * registration, operator-side and HTTP-only paths): logged at WARN so that a test notices.
 */
export const UNSIMULATED_MASTER_MESSAGES = [
  'mesos.internal.SubmitSchedulerRequest',
  'mesos.internal.RegisterSlaveMessage',
  'mesos.internal.ReregisterSlaveMessage',
  'mesos.internal.UnregisterSlaveMessage',
  'mesos.internal.UpdateOperationStatusMessage',
  'mesos.internal.UpdateSlaveMessage',
  'mesos.internal.ExecutorToFrameworkMessage',
] as const;

/** `--agent_reregister_timeout` and the recovered agents' timeout after a failover: 10 minutes. */
export const AGENT_REREGISTER_TIMEOUT_MS = 10 * 60_000;

/** Agents retry their registration this often while no master answers. */
export const AGENT_REGISTER_RETRY_MS = 1000;
