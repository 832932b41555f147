import { join } from 'node:path';
import type { FrameworkInfo, TaskInfo } from '../../mesos.types.js';
import type { Upid } from '../../../index.js';
import { frameworkRoles } from '../master/framework-registry.js';

/** The agent flags' defaults that reach the environment (src/slave/constants.hpp, flags.cpp). */
const EXECUTOR_SHUTDOWN_GRACE_PERIOD_NS = 5e9;
const RECOVERY_TIMEOUT = '15mins';
const EXECUTOR_REREGISTRATION_TIMEOUT = '2secs';
/** process::MAX_REAP_INTERVAL() plus the agent's 1 s, added to a kill policy's grace period. */
const KILL_POLICY_EXTRA_NS = 2e9;
/** os::host_default_path(): the PATH of a task whose environment has none. */
const HOST_DEFAULT_PATH =
  '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const UNITS: Array<[name: string, ns: number]> = [
  ['ns', 1],
  ['us', 1e3],
  ['ms', 1e6],
  ['secs', 1e9],
  ['mins', 60e9],
  ['hrs', 3600e9],
  ['days', 86400e9],
  ['weeks', 604800e9],
];

/**
 * A duration as stout prints it (`stringify(Duration)`): in the unit of its size ("5secs",
 * "15mins"), or the next smaller one when that makes it a whole number ("4500ms"), with up to
 * 15 significant digits.
 */
export function stoutDuration(ns: number): string {
  if (ns < 0) return `-${stoutDuration(-ns)}`;
  let unit = 0;
  while (unit + 1 < UNITS.length && ns >= UNITS[unit + 1][1]) unit += 1;
  const [, size] = UNITS[unit];
  if (unit > 0 && ns % size !== 0 && ns % UNITS[unit - 1][1] === 0) unit -= 1;
  const [name, chosen] = UNITS[unit];
  return `${Number((ns / chosen).toPrecision(15))}${name}`;
}

/** What a command task's environment and sandbox are made of. */
export interface CommandTaskContext {
  agentId: string;
  agentPid: Upid;
  /** The agent's `--work_dir`. */
  workDir: string;
  frameworkId: string;
  framework: FrameworkInfo;
  task: TaskInfo;
  /** The executor's container id (a UUID), the last part of the sandbox path. */
  containerId: string;
}

/** The sandbox of a command task: `<work_dir>/slaves/<agent>/frameworks/<fw>/executors/<task>/runs/<container>`. */
export function commandTaskSandbox(context: CommandTaskContext): string {
  return join(
    context.workDir,
    'slaves',
    context.agentId,
    'frameworks',
    context.frameworkId,
    'executors',
    context.task.task_id!.value,
    'runs',
    context.containerId,
  );
}

/**
 * The environment of a command task, as Mesos 1.12 composes it. The agent's own environment
 * is not inherited: slave.cpp `executorEnvironment` builds the command executor's (LIBPROCESS_IP
 * and _PORT, MESOS_* ids, pids, sandbox and timeouts; the executor id is the task id, there is
 * no MESOS_TASK_ID), the containerizer adds MESOS_SANDBOX and CommandInfo.environment, then
 * launcher/executor.cpp sets MESOS_ALLOCATION_ROLE (from the task's resources) and
 * `mesos-containerizer launch` a default PATH.
 */
export function commandTaskEnvironment(
  context: CommandTaskContext,
  sandbox: string,
): Record<string, string> {
  const { task, framework } = context;
  const checkpoint = Boolean(framework.checkpoint);
  const gracePeriod = task.kill_policy?.grace_period
    ? Number(task.kill_policy.grace_period.nanoseconds) + KILL_POLICY_EXTRA_NS
    : EXECUTOR_SHUTDOWN_GRACE_PERIOD_NS;
  const environment: Record<string, string> = {
    LIBPROCESS_IP: context.agentPid.host,
    LIBPROCESS_PORT: '0',
    MESOS_FRAMEWORK_ID: context.frameworkId,
    MESOS_EXECUTOR_ID: task.task_id!.value,
    MESOS_DIRECTORY: sandbox,
    MESOS_SLAVE_ID: context.agentId,
    MESOS_SLAVE_PID: context.agentPid.toString(),
    MESOS_AGENT_ENDPOINT: `${context.agentPid.host}:${context.agentPid.port}`,
    MESOS_CHECKPOINT: checkpoint ? '1' : '0',
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: stoutDuration(gracePeriod),
    ...(checkpoint && {
      MESOS_RECOVERY_TIMEOUT: RECOVERY_TIMEOUT,
      MESOS_SUBSCRIPTION_BACKOFF_MAX: EXECUTOR_REREGISTRATION_TIMEOUT,
    }),
    MESOS_SANDBOX: sandbox,
  };
  // Secrets need the environment_secret isolator, which the simulator does not have.
  for (const variable of task.command?.environment?.variables ?? []) {
    if (variable.type === 'SECRET') continue;
    environment[variable.name] = variable.value ?? '';
  }
  environment.MESOS_ALLOCATION_ROLE =
    task.resources?.[0]?.allocation_info?.role ??
    frameworkRoles(framework)[0] ??
    '*';
  environment.PATH ??= HOST_DEFAULT_PATH;
  return environment;
}
