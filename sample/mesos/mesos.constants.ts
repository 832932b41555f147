/**
 * libprocess message names are protobuf full type names (`ProtobufProcess::send` keys on
 * `GetTypeName()`), so these strings are both the mailbox names and the protobuf types.
 */
export const MesosMessage = {
  Call: 'mesos.scheduler.Call',
  FrameworkRegistered: 'mesos.internal.FrameworkRegisteredMessage',
  FrameworkReregistered: 'mesos.internal.FrameworkReregisteredMessage',
  ResourceOffers: 'mesos.internal.ResourceOffersMessage',
  RescindResourceOffer: 'mesos.internal.RescindResourceOfferMessage',
  StatusUpdate: 'mesos.internal.StatusUpdateMessage',
  LostSlave: 'mesos.internal.LostSlaveMessage',
  ExitedExecutor: 'mesos.internal.ExitedExecutorMessage',
  ExecutorToFramework: 'mesos.internal.ExecutorToFrameworkMessage',
  FrameworkError: 'mesos.internal.FrameworkErrorMessage',
  DeactivateFramework: 'mesos.internal.DeactivateFrameworkMessage',
  RunTask: 'mesos.internal.RunTaskMessage',
  KillTask: 'mesos.internal.KillTaskMessage',
  ShutdownFramework: 'mesos.internal.ShutdownFrameworkMessage',
  StatusUpdateAcknowledgement:
    'mesos.internal.StatusUpdateAcknowledgementMessage',
} as const;

/** The process id of a Mesos master (`master@ip:port`). */
export const MASTER_PROCESS_ID = 'master';

/** `mesos.TaskState` value names, and their numbers for enum fields that arrive as numbers. */
const TASK_STATE_NAMES: Record<number, string> = {
  0: 'TASK_STARTING',
  1: 'TASK_RUNNING',
  2: 'TASK_FINISHED',
  3: 'TASK_FAILED',
  4: 'TASK_KILLED',
  5: 'TASK_LOST',
  6: 'TASK_STAGING',
  7: 'TASK_ERROR',
  8: 'TASK_KILLING',
  9: 'TASK_DROPPED',
  10: 'TASK_UNREACHABLE',
  11: 'TASK_GONE',
  12: 'TASK_GONE_BY_OPERATOR',
  13: 'TASK_UNKNOWN',
};

/** States after which a task never changes again (mesos.proto "TERMINAL" comments). */
const TERMINAL_STATES = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/**
 * Terminal states that say nothing about the command itself (the agent or the master lost it),
 * so a framework may launch the task again.
 */
const RETRYABLE_STATES = new Set(['TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

/** Normalizes an enum field (a name, or a number outside the trimmed enum) to a state name. */
export function taskStateName(state: string | number | undefined): string {
  if (typeof state === 'number') {
    return TASK_STATE_NAMES[state] ?? `TASK_STATE_${state}`;
  }
  return state ?? 'TASK_UNKNOWN';
}

export function isTerminalState(state: string): boolean {
  return TERMINAL_STATES.has(state);
}

export function isRetryableState(state: string): boolean {
  return RETRYABLE_STATES.has(state);
}
