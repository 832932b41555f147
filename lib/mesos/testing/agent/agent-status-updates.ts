import { randomBytes } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type {
  FrameworkInfo,
  StatusUpdate,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
} from '../../mesos.types.js';
import {
  isTerminalState,
  MesosMessage,
  taskStateName,
} from '../../mesos.constants.js';
import type { ActorRef } from '../../../index.js';
import type { AgentRegistration } from './agent-registration.js';
import type { AgentTask, AgentTasks } from './agent-tasks.js';
import type { AgentSettings } from './agent.process.js';

/**
 * The agent's status update manager (src/slave/task_status_update_manager.cpp) over the
 * tasks' {@link StatusUpdateStream}s: a new update is queued, the head of each stream is sent
 * to the master (with the newest queued state) and re-sent with back-off until acknowledged,
 * the next one follows the acknowledgement, and a task is forgotten once its terminal update is
 * acknowledged. Pending updates go out again at once to a new master and to a framework that
 * re-subscribed.
 * A part of {@link AgentProcess}: the retries come back to its `retryUpdate` method.
 *
 * @internal
 */
export class AgentStatusUpdates {
  constructor(
    private readonly actors: ActorRef,
    private readonly settings: AgentSettings,
    private readonly registration: AgentRegistration,
    private readonly tasks: AgentTasks,
    private readonly logger: Logger,
  ) {}

  /** A new state of `task`, as its executor (or the agent, for `source`) reports it. */
  update(
    task: AgentTask,
    state: TaskState,
    message?: string,
    reason?: TaskStatus_Reason,
    source: TaskStatus_Source = 'SOURCE_EXECUTOR',
  ): void {
    task.state = state;
    const timestamp = this.settings.clock.now() / 1000;
    const uuid = randomBytes(16);
    const taskId = task.info.task_id!;
    const executorId = { value: task.executorId };
    const slaveId = { value: this.settings.agentId };
    const update = {
      framework_id: { value: task.frameworkId },
      executor_id: executorId,
      slave_id: slaveId,
      status: {
        task_id: taskId,
        state,
        source,
        ...(message !== undefined && { message }),
        ...(reason !== undefined && { reason }),
        slave_id: slaveId,
        executor_id: executorId,
        timestamp,
        uuid,
      },
      timestamp,
      uuid,
    } as StatusUpdate;
    if (task.stream.push(update)) this.forward(task, true);
    if (isTerminalState(state)) task.command.destroy();
  }

  /** Every pending head at once (the agent has (re-)registered). */
  forwardAll(): void {
    for (const task of this.tasks.values()) this.forward(task, true);
  }

  /** The head of a task's stream was not acknowledged in time: sent again. */
  retry(frameworkId: string, taskId: string): void {
    const task = this.tasks.get(frameworkId, taskId);
    if (task && task.stream.head()) this.forward(task, false);
  }

  /** A StatusUpdateAcknowledgementMessage from the master. */
  acknowledge(message: any): void {
    const task = this.tasks.get(
      message.framework_id.value,
      message.task_id.value,
    );
    if (!task) {
      this.logger.warn(
        `Unexpected status update acknowledgement for unknown task ${message.task_id.value} of framework ${message.framework_id.value}`,
      );
      return;
    }
    const result = task.stream.acknowledge(message.uuid);
    if (!result.accepted) {
      this.logger.warn(
        `Unexpected status update acknowledgement for task ${message.task_id.value}: ${result.reason}`,
      );
      return;
    }
    task.retry?.cancel();
    if (result.next) {
      this.forward(task, true);
    } else if (result.terminal) {
      this.tasks.delete(task);
      // The command executor exits once its terminal update is acknowledged (a task group's
      // executor was reported gone already).
      if (task.executorId !== task.info.task_id!.value) return;
      this.registration.toMaster(MesosMessage.ExitedExecutor, {
        slave_id: { value: this.settings.agentId },
        framework_id: { value: task.frameworkId },
        executor_id: { value: task.executorId },
        status: 0,
      });
    }
  }

  /** The framework re-subscribed (UpdateFrameworkMessage): its pending heads go out at once. */
  resume(frameworkId: string | undefined, info?: FrameworkInfo): void {
    for (const task of this.tasks.values()) {
      if (task.frameworkId !== frameworkId) continue;
      if (info) task.framework = info;
      if (task.stream.resume()) this.forward(task, true);
    }
  }

  /** Sends the head of the task's stream (with the newest queued state) and arms the retry. */
  private forward(task: AgentTask, fresh: boolean): void {
    const head = task.stream.head();
    task.retry?.cancel();
    if (!head || !this.registration.canForward) return;
    if (!fresh)
      this.logger.debug(
        `Re-sending the unacknowledged ${taskStateName(head.status?.state)} of ${task.info.task_id!.value}`,
      );
    this.registration.toMaster(MesosMessage.StatusUpdate, {
      update: { ...head, latest_state: task.stream.latestState() },
      pid: this.registration.self.toString(),
    });
    task.retry = this.actors.delay(
      task.stream.sent(),
      this.registration.self,
      'retryUpdate',
      task.frameworkId,
      task.info.task_id!.value,
    );
  }
}
