import { TaskState } from './proto/generated/mesos.js';

/**
 * libprocess message names are protobuf full type names (`ProtobufProcess::send` keys on
 * `GetTypeName()`), so these strings are both the mailbox names and the protobuf types.
 */
/** @publicApi */
export const MesosMessage = {
  Call: 'mesos.scheduler.Call',
  FrameworkRegistered: 'mesos.internal.FrameworkRegisteredMessage',
  FrameworkReregistered: 'mesos.internal.FrameworkReregisteredMessage',
  ResourceOffers: 'mesos.internal.ResourceOffersMessage',
  RescindResourceOffer: 'mesos.internal.RescindResourceOfferMessage',
  InverseOffers: 'mesos.internal.InverseOffersMessage',
  RescindInverseOffer: 'mesos.internal.RescindInverseOfferMessage',
  StatusUpdate: 'mesos.internal.StatusUpdateMessage',
  LostSlave: 'mesos.internal.LostSlaveMessage',
  ExitedExecutor: 'mesos.internal.ExitedExecutorMessage',
  ExecutorToFramework: 'mesos.internal.ExecutorToFrameworkMessage',
  FrameworkToExecutor: 'mesos.internal.FrameworkToExecutorMessage',
  FrameworkError: 'mesos.internal.FrameworkErrorMessage',
  DeactivateFramework: 'mesos.internal.DeactivateFrameworkMessage',
  RunTask: 'mesos.internal.RunTaskMessage',
  KillTask: 'mesos.internal.KillTaskMessage',
  ShutdownFramework: 'mesos.internal.ShutdownFrameworkMessage',
  StatusUpdateAcknowledgement:
    'mesos.internal.StatusUpdateAcknowledgementMessage',
  Authenticate: 'mesos.internal.AuthenticateMessage',
  AuthenticationMechanisms: 'mesos.internal.AuthenticationMechanismsMessage',
  AuthenticationStart: 'mesos.internal.AuthenticationStartMessage',
  AuthenticationStep: 'mesos.internal.AuthenticationStepMessage',
  AuthenticationCompleted: 'mesos.internal.AuthenticationCompletedMessage',
  AuthenticationFailed: 'mesos.internal.AuthenticationFailedMessage',
  AuthenticationError: 'mesos.internal.AuthenticationErrorMessage',
} as const;

/**
 * The process id of a Mesos master (`master@ip:port`).
 * @publicApi
 */
export const MASTER_PROCESS_ID = 'master';

/** States after which a task never changes again (mesos.proto "TERMINAL" comments). */
const TERMINAL_STATES = new Set<string>([
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
const RETRYABLE_STATES = new Set<string>([
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
]);

/**
 * Normalizes a decoded `TaskState` field: protobufjs gives the value's name, or its number when the
 * value is newer than our `.proto` files.
 * @publicApi
 */
export function taskStateName(
  state: TaskState | number | undefined,
): TaskState {
  if (typeof state === 'number') return TaskState.UNRECOGNIZED;
  return state ?? TaskState.TASK_UNKNOWN;
}

/** @publicApi */
export function isTerminalState(state: string): boolean {
  return TERMINAL_STATES.has(state);
}

/** @publicApi */
export function isRetryableState(state: string): boolean {
  return RETRYABLE_STATES.has(state);
}
