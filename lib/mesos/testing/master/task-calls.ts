import type { KillPolicy, StatusUpdate, TaskState } from '../../mesos.types.js';
import {
  isTerminalState,
  MesosMessage,
  taskStateName,
} from '../../mesos.constants.js';
import { SimulatorMessage } from '../simulator.constants.js';
import {
  type FrameworkRecord,
  isPartitionAware,
  type TaskRecord,
} from './framework-registry.js';
import { masterStatusUpdate } from './status-updates.js';
import type { SimulatedMaster } from './simulated-master.js';

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex') : undefined;

/**
 * The calls about running tasks and executors: KILL, ACKNOWLEDGE, RECONCILE (explicit and
 * implicit), MESSAGE and SHUTDOWN.
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class TaskCalls {
  constructor(private readonly m: SimulatedMaster) {}

  kill(
    framework: FrameworkRecord,
    taskId: string,
    agentId?: string,
    killPolicy?: KillPolicy,
  ): void {
    this.m.log.info(
      `Processing KILL call for task '${taskId}' of framework ${framework.id}`,
    );
    const task = framework.tasks.get(taskId);
    if (!task) {
      this.m.log.warn(
        `Cannot kill task ${taskId} of framework ${framework.id} because it is unknown; performing reconciliation`,
      );
      this.reconcile(framework, [
        {
          task_id: { value: taskId },
          ...(agentId && { slave_id: { value: agentId } }),
        },
      ]);
      return;
    }
    if (agentId !== undefined && agentId !== task.agentId) {
      this.m.log.warn(
        `Cannot kill task ${taskId} of agent ${agentId} of framework ${framework.id} because it belongs to different agent ${task.agentId}`,
      );
      return;
    }
    const agent = this.m.agents.registered(task.agentId);
    if (agent?.connected) {
      this.m.outbox.send(agent.pid, MesosMessage.KillTask, {
        framework_id: { value: framework.id },
        task_id: { value: taskId },
        // The call's kill policy overrides the task's (its grace period).
        ...(killPolicy && { kill_policy: killPolicy }),
      });
    } else {
      this.m.log.warn(
        `Cannot kill task ${taskId} of framework ${framework.id} because the agent ${task.agentId} is disconnected. Kill will be retried if the agent reregisters`,
      );
    }
  }

  acknowledge(framework: FrameworkRecord, ack: any): void {
    const agentId: string = ack.slave_id?.value;
    const taskId: string = ack.task_id?.value;
    const uuid = hex(ack.uuid)!;
    const agent = this.m.agents.registered(agentId);
    if (!agent) {
      this.m.log.warn(
        `Cannot send status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because agent is not registered`,
      );
      this.m.metrics.increment('master/invalid_status_update_acknowledgements');
      return;
    }
    if (!agent.connected) {
      this.m.log.warn(
        `Cannot send status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because agent is disconnected`,
      );
      this.m.metrics.increment('master/invalid_status_update_acknowledgements');
      return;
    }
    this.m.log.info(
      `Processing ACKNOWLEDGE call for status ${uuid} for task ${taskId} of framework ${framework.id} on agent ${agentId}`,
    );
    const task = framework.tasks.get(taskId);
    if (task && task.agentId === agentId) {
      if (task.statusUpdateState === undefined) {
        this.m.log.warn(
          `Ignoring status update acknowledgement for status ${uuid} of task ${taskId} of framework ${framework.id} to agent ${agentId} because the update was not sent by this master`,
        );
        this.m.metrics.increment(
          'master/invalid_status_update_acknowledgements',
        );
        return;
      }
      if (
        isTerminalState(taskStateName(task.statusUpdateState)) &&
        task.statusUpdateUuid === uuid
      ) {
        this.m.frameworks.removeTask(framework, taskId);
      }
    }
    // Forwarded even for a task the master does not know: the agent may (master failover).
    this.m.outbox.send(agent.pid, MesosMessage.StatusUpdateAcknowledgement, {
      slave_id: { value: agentId },
      framework_id: { value: framework.id },
      task_id: { value: taskId },
      uuid: ack.uuid,
    });
    this.m.metrics.increment('master/valid_status_update_acknowledgements');
  }

  /** Master::reconcile: the six cases of explicit reconciliation, and implicit reconciliation. */
  reconcile(framework: FrameworkRecord, tasks: any[]): void {
    const pa = isPartitionAware(framework);
    const send = (update: StatusUpdate) =>
      // No pid: reconciliation answers are never acknowledged.
      this.m.outbox.send(framework.pid!, MesosMessage.StatusUpdate, { update });
    const latest = (task: TaskRecord) =>
      masterStatusUpdate({
        frameworkId: framework.id,
        agentId: task.agentId,
        taskId: task.taskId,
        state: task.statusUpdateState ?? task.state,
        message: 'Reconciliation: Latest task state',
        reason: 'REASON_RECONCILIATION',
        now: this.m.now(),
      });
    if (tasks.length === 0) {
      this.m.log.info(
        `Performing implicit task state reconciliation for framework ${framework.id}`,
      );
      for (const task of framework.tasks.values()) send(latest(task));
      return;
    }
    this.m.log.info(
      `Performing explicit task state reconciliation for ${tasks.length} tasks of framework ${framework.id}`,
    );
    for (const t of tasks) {
      const taskId: string = t.task_id?.value ?? '';
      const agentId: string | undefined = t.slave_id?.value;
      const task = framework.tasks.get(taskId);
      const agent = this.m.agents.get(agentId);
      const update = (
        state: TaskState,
        message: string,
        unreachableTime?: number,
      ) =>
        send(
          masterStatusUpdate({
            frameworkId: framework.id,
            agentId,
            taskId,
            state: pa ? state : 'TASK_LOST',
            message,
            reason: 'REASON_RECONCILIATION',
            unreachableTime,
            now: this.m.now(),
          }),
        );
      if (task) {
        send(latest(task));
      } else if (
        (agentId !== undefined && agent?.standing === 'recovered') ||
        (agentId === undefined && this.m.agents.anyRecovered())
      ) {
        this.m.log.info(
          `Dropping reconciliation of task ${taskId} for framework ${framework.id} because ${agentId !== undefined ? `agent ${agentId} has` : 'some agents have'} not yet reregistered with the master`,
        );
      } else if (agentId !== undefined && agent?.standing === 'registered') {
        update('TASK_GONE', 'Reconciliation: Task is unknown to the agent');
      } else if (agentId !== undefined && agent?.standing === 'unreachable') {
        update(
          'TASK_UNREACHABLE',
          'Reconciliation: Task is unreachable',
          agent.unreachableTime,
        );
      } else if (agentId !== undefined && agent?.standing === 'gone') {
        update('TASK_GONE_BY_OPERATOR', 'Reconciliation: Task is gone');
      } else {
        update('TASK_UNKNOWN', 'Reconciliation: Task is unknown');
      }
    }
  }

  message(framework: FrameworkRecord, message: any): void {
    this.m.metrics.increment('master/messages_framework_to_executor');
    const agent = this.m.agents.registered(message.slave_id?.value);
    if (!agent || !agent.connected) {
      this.m.metrics.increment('master/invalid_framework_to_executor_messages');
      this.m.log.warn(
        `Cannot send framework message for framework ${framework.id} to agent ${message.slave_id?.value} because agent is ${agent ? 'disconnected' : 'not registered'}`,
      );
      return;
    }
    this.m.log.info(
      `Processing MESSAGE call from framework ${framework.id} to agent ${agent.id}`,
    );
    this.m.outbox.send(agent.pid, SimulatorMessage.FrameworkToExecutor, {
      slave_id: message.slave_id,
      framework_id: { value: framework.id },
      executor_id: message.executor_id,
      data: message.data,
    });
    this.m.metrics.increment('master/valid_framework_to_executor_messages');
  }

  shutdownExecutor(
    framework: FrameworkRecord,
    agentId: string,
    executorId: string,
  ): void {
    const agent = this.m.agents.registered(agentId);
    if (!agent?.connected) {
      this.m.log.warn(
        `Cannot shut down executor ${executorId} of framework ${framework.id} on agent ${agentId}: agent not connected`,
      );
      return;
    }
    this.m.log.info(
      `Processing SHUTDOWN call for executor '${executorId}' of framework ${framework.id} on agent ${agentId}`,
    );
    this.m.outbox.send(agent.pid, SimulatorMessage.ShutdownExecutor, {
      executor_id: { value: executorId },
      framework_id: { value: framework.id },
    });
  }
}
