import type { FrameworkInfo, TaskInfo, TaskState } from '../../mesos.types.js';
import { taskStateName } from '../../mesos.constants.js';
import type { DelayHandle } from '../../../index.js';
import type { ReportedTask } from '../master/master.types.js';
import {
  type CommandEvent,
  CommandTask,
  type CommandTaskAgent,
} from './command-task.js';
import { StatusUpdateStream } from './status-update-stream.js';

/** A task the agent runs, or still reports until its terminal update is acknowledged. */
export interface AgentTask {
  frameworkId: string;
  framework: FrameworkInfo;
  info: TaskInfo;
  /** The command executor's id is its task's id; a task group's is the group's executor. */
  executorId: string;
  command: CommandTask;
  stream: StatusUpdateStream;
  retry?: DelayHandle;
  state: TaskState;
}

/** What a new task is made of. */
export interface NewAgentTask {
  frameworkId: string;
  framework: FrameworkInfo;
  info: TaskInfo;
  executorId: string;
  /** Where its command runs (its sandbox, its environment). */
  agent: CommandTaskAgent;
  statusUpdateRetryMs: number;
  /** Where its command's events go (a task group's command never runs). */
  onEvent: (event: CommandEvent) => void;
}

/** @internal */
const key = (frameworkId: string | undefined, taskId: string | undefined) =>
  `${frameworkId}/${taskId}`;

/**
 * The tasks of one agent, by framework and task id (framework ids are unique, task ids only
 * within their framework). The command executor's id is its task's id, so an executor is
 * looked up as a task.
 * A part of {@link AgentProcess}.
 *
 * @internal
 */
export class AgentTasks {
  private readonly byKey = new Map<string, AgentTask>();

  get(
    frameworkId: string | undefined,
    taskId: string | undefined,
  ): AgentTask | undefined {
    return this.byKey.get(key(frameworkId, taskId));
  }

  /** A new task, staging, with its status update stream (replacing one of the same id). */
  add(fields: NewAgentTask): AgentTask {
    const taskId = fields.info.task_id!.value;
    const task: AgentTask = {
      frameworkId: fields.frameworkId,
      framework: fields.framework,
      info: fields.info,
      executorId: fields.executorId,
      state: 'TASK_STAGING',
      stream: new StatusUpdateStream(
        fields.frameworkId,
        taskId,
        fields.statusUpdateRetryMs,
      ),
      command: new CommandTask(
        fields.info,
        fields.frameworkId,
        fields.framework,
        fields.agent,
        fields.onEvent,
      ),
    };
    this.byKey.set(key(fields.frameworkId, taskId), task);
    return task;
  }

  /** Forgets a task whose terminal update was acknowledged. */
  delete(task: AgentTask): void {
    this.byKey.delete(key(task.frameworkId, task.info.task_id!.value));
  }

  values(): IterableIterator<AgentTask> {
    return this.byKey.values();
  }

  /** Kills a task's command and forgets it, pending updates included (framework shutdown). */
  discard(task: AgentTask): void {
    task.retry?.cancel();
    task.command.destroy();
    this.delete(task);
  }

  discardFramework(frameworkId: string): void {
    for (const task of this.byKey.values()) {
      if (task.frameworkId === frameworkId) this.discard(task);
    }
  }

  discardAll(): void {
    for (const task of this.byKey.values()) this.discard(task);
  }

  /** The tasks as the agent reports them when it (re-)registers (the task data left out). */
  report(): ReportedTask[] {
    return [...this.byKey.values()].map((task) => ({
      frameworkId: task.frameworkId,
      framework: task.framework,
      taskId: task.info.task_id!.value,
      info: { ...task.info, data: undefined },
      state: task.state,
    }));
  }

  /** The tasks this agent runs or still reports (for tests). */
  states(): Array<{
    frameworkId: string;
    taskId: string;
    state: string;
    pending: number;
  }> {
    return [...this.byKey.values()].map((t) => ({
      frameworkId: t.frameworkId,
      taskId: t.info.task_id!.value,
      state: taskStateName(t.state),
      pending: t.stream.length,
    }));
  }
}
