import type { ExecutorInfo, TaskInfo } from '../../mesos.types.js';
import {
  contains,
  format,
  fromProto,
  isEmpty,
  type ResourceBag,
} from '../common/resources.js';

/** What task validation needs to know about the framework and the offers being accepted. */
export interface TaskValidationContext {
  /** The agent of the accepted offers. */
  agentId: string;
  /** The offered resources not yet used by earlier tasks of the same ACCEPT. */
  available: ResourceBag;
  /** The framework has a (non-removed) task with this id. */
  hasTask(taskId: string): boolean;
  /** The id belongs to a task of an agent that became unreachable. */
  hasUnreachableTask(taskId: string): boolean;
}

/** Linux NAME_MAX: ids become directory names on the agent. */
const NAME_MAX = 255;

/** common/validation.cpp validateID: the rules every Mesos id follows. */
export function validateId(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (id.length > NAME_MAX) {
    return `ID must not be greater than ${NAME_MAX} characters`;
  }
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // Control characters and path separators.
  const invalid = [...id].some((c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f || c === '/' || c === '\\';
  });
  if (invalid) {
    return `'${id}' contains invalid characters`;
  }
  return undefined;
}

/**
 * The checks of src/master/validation.cpp (task::internal::validateTask, then
 * validateExecutor) that apply to the tasks the simulator runs, in the same order and with the
 * same messages, so that a framework sees the TASK_ERROR text a real master would send. Returns
 * the error message, or undefined for a valid task.
 */
export function validateTask(
  task: TaskInfo,
  context: TaskValidationContext,
): string | undefined {
  const taskId = task.task_id?.value ?? '';
  const idError = validateId(taskId);
  if (idError) return `Task has an invalid TaskID: ${idError}`;
  if (context.hasTask(taskId)) return `Task has duplicate ID: ${taskId}`;
  if (context.hasUnreachableTask(taskId)) {
    return `Task reuses the ID of an unreachable task: ${taskId}`;
  }
  const agentId = task.slave_id?.value ?? '';
  if (agentId !== context.agentId) {
    return `Task uses invalid agent ${agentId} while agent ${context.agentId} is expected`;
  }
  const resources = fromProto(task.resources);
  if ((task.resources ?? []).length === 0) return 'Task uses no resources';
  const invalid = (task.resources ?? []).find(
    (r) =>
      r.scalar !== undefined && r.scalar !== null && !(r.scalar.value >= 0),
  );
  if (invalid) {
    return `Task uses invalid resources: Invalid scalar resource ${invalid.name}: it must not be negative`;
  }
  const hasExecutor =
    (task as TaskInfo & { executor?: unknown }).executor !== undefined &&
    (task as TaskInfo & { executor?: unknown }).executor !== null;
  const hasCommand = task.command !== undefined && task.command !== null;
  if (hasExecutor === hasCommand) {
    return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
  }
  if (isEmpty(resources)) return 'Task uses no resources';
  if (!contains(context.available, resources)) {
    return `Total resources ${format(resources)} required by task and its executor is more than available ${format(context.available)}`;
  }
  return undefined;
}

/** master/constants.hpp: the least an executor may ask for. */
const MIN_CPUS = 0.01;
const MIN_MEM_MB = 32;

/**
 * The executor checks of task::group::internal::validateExecutor (after the tasks' own
 * checks), same order and messages: a task group's executor must have a type other than
 * UNKNOWN, at least the minimum cpus and memory, and some disk.
 */
export function validateTaskGroupExecutor(
  executor: ExecutorInfo | undefined,
): string | undefined {
  if (!executor?.type) return "'ExecutorInfo.type' must be set";
  if (executor.type === 'UNKNOWN') return 'Unknown executor type';
  const id = executor.executor_id?.value ?? '';
  const scalar = (name: string) =>
    (executor.resources ?? []).find((r) => r.name === name)?.scalar?.value;
  const cpus = scalar('cpus');
  if (cpus === undefined || cpus < MIN_CPUS) {
    return `Executor '${id}' uses less CPUs (${cpus ?? 'None'}) than the minimum required (${MIN_CPUS})`;
  }
  const mem = scalar('mem');
  if (mem === undefined || mem < MIN_MEM_MB) {
    return `Executor '${id}' uses less memory (${mem === undefined ? 'None' : `${mem}MB`}) than the minimum required (${MIN_MEM_MB}MB)`;
  }
  if (scalar('disk') === undefined) return `Executor '${id}' uses no disk`;
  return undefined;
}
