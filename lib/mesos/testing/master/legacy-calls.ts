import type { Call } from '../../mesos.types.js';

/**
 * The legacy (pre-0.24, still installed by master.cpp) scheduler messages that map onto a
 * `mesos.scheduler.Call`, with the words master.cpp uses when it ignores one: the framework id
 * they name, and the Call they become. mesos-go's v0 driver and pesos speak only these.
 */
export interface LegacyMapping {
  /** Full protobuf type name (= message name). */
  type: string;
  /** "kill task message for task t of framework f", for the "Ignoring ..." log lines. */
  describe(message: any): string;
  frameworkId(message: any): string | undefined;
  toCall(message: any): Call;
}

const id = (value: { value?: string } | undefined) => value?.value;

export const LEGACY_SCHEDULER_MESSAGES: readonly LegacyMapping[] = [
  {
    type: 'mesos.internal.UnregisterFrameworkMessage',
    describe: (m) =>
      `unregister framework message for framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) => ({ framework_id: m.framework_id, type: 'TEARDOWN' }) as Call,
  },
  {
    // An empty task list is an implicit decline (master.cpp launchTasks).
    type: 'mesos.internal.LaunchTasksMessage',
    describe: (m) =>
      `launch tasks message for offers [ ${(m.offer_ids ?? []).map(id).join(', ')} ] of framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ((m.tasks ?? []).length > 0
        ? {
            framework_id: m.framework_id,
            type: 'ACCEPT',
            accept: {
              offer_ids: m.offer_ids ?? [],
              operations: [{ type: 'LAUNCH', launch: { task_infos: m.tasks } }],
              filters: m.filters,
            },
          }
        : {
            framework_id: m.framework_id,
            type: 'DECLINE',
            decline: { offer_ids: m.offer_ids ?? [], filters: m.filters },
          }) as Call,
  },
  {
    type: 'mesos.internal.ReviveOffersMessage',
    describe: (m) =>
      `revive offers message for framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'REVIVE',
        revive: { roles: m.roles ?? [] },
      }) as Call,
  },
  {
    type: 'mesos.internal.KillTaskMessage',
    describe: (m) =>
      `kill task message for task ${id(m.task_id)} of framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'KILL',
        kill: {
          task_id: m.task_id,
          ...(m.kill_policy && { kill_policy: m.kill_policy }),
        },
      }) as Call,
  },
  {
    type: 'mesos.internal.StatusUpdateAcknowledgementMessage',
    describe: (m) =>
      `status update acknowledgement for task ${id(m.task_id)} of framework ${id(m.framework_id)} on agent ${id(m.slave_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'ACKNOWLEDGE',
        acknowledge: { slave_id: m.slave_id, task_id: m.task_id, uuid: m.uuid },
      }) as Call,
  },
  {
    type: 'mesos.internal.ReconcileTasksMessage',
    describe: (m) =>
      `reconcile tasks message for framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'RECONCILE',
        reconcile: {
          tasks: (m.statuses ?? []).map((s: any) => ({
            task_id: s.task_id,
            ...(s.slave_id && { slave_id: s.slave_id }),
          })),
        },
      }) as Call,
  },
  {
    type: 'mesos.internal.ResourceRequestMessage',
    describe: (m) =>
      `resource request message from framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'REQUEST',
        request: { requests: m.requests ?? [] },
      }) as Call,
  },
  {
    type: 'mesos.internal.FrameworkToExecutorMessage',
    describe: (m) =>
      `framework message for executor '${id(m.executor_id)}' of framework ${id(m.framework_id)}`,
    frameworkId: (m) => id(m.framework_id),
    toCall: (m) =>
      ({
        framework_id: m.framework_id,
        type: 'MESSAGE',
        message: {
          slave_id: m.slave_id,
          executor_id: m.executor_id,
          data: m.data,
        },
      }) as Call,
  },
];

/**
 * RegisterFrameworkMessage / ReregisterFrameworkMessage -> SUBSCRIBE (master.cpp
 * registerFramework, reregisterFramework), or the refusal text master.cpp sends back.
 */
export function legacySubscribe(
  type: 'register' | 'reregister',
  message: any,
): { call: Call } | { refusal: string } {
  const info = message.framework;
  const hasId = Boolean(info?.id?.value);
  if (type === 'register' && hasId) {
    return { refusal: "Registering with 'id' already set" };
  }
  if (type === 'reregister' && !hasId) {
    return { refusal: "Re-registering without an 'id'" };
  }
  return {
    call: {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: info,
        force: type === 'reregister' ? Boolean(message.failover) : false,
        suppressed_roles: [],
      },
    } as unknown as Call,
  };
}
