import type {
  StatusUpdate,
  StatusUpdateMessage,
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from '../../mesos.types.js';
import { MesosMessage, taskStateName } from '../../mesos.constants.js';
import type { FrameworkRecord } from './framework-registry.js';
import { masterStatusUpdate, NO_ACKNOWLEDGEE } from './status-updates.js';
import type { SimulatedMaster } from './simulated-master.js';

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex') : undefined;

/**
 * Master::statusUpdate and forward: agents' updates relayed to their framework with the agent
 * as acknowledgee, the master's own updates (no uuid), and ExitedExecutorMessage.
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class StatusUpdateRelay {
  constructor(private readonly m: SimulatedMaster) {}

  /** Master::statusUpdate: an update from an agent, forwarded with the agent as acknowledgee. */
  statusUpdate(message: StatusUpdateMessage): void {
    const update = message.update!;
    const agentId = update.slave_id?.value;
    const agent = this.m.agents.get(agentId);
    if (!agent || agent.standing !== 'registered') {
      this.m.log.warn(
        `Ignoring status update for task ${update.status?.task_id?.value} from ${agent ? 'removed' : 'unknown'} agent ${message.pid} with id ${agentId}`,
      );
      return;
    }
    const framework = this.m.frameworks.get(update.framework_id?.value);
    if (framework?.connected) {
      this.forward(update, message.pid ?? NO_ACKNOWLEDGEE, framework);
    } else {
      this.m.log.warn(
        `Received status update ${taskStateName(update.status?.state)} for task ${update.status?.task_id?.value} from agent ${agentId} for ${framework ? 'a disconnected' : 'an unknown'} framework`,
      );
    }
    const task = framework?.tasks.get(update.status?.task_id?.value ?? '');
    if (!task || task.agentId !== agentId) return;
    task.state = update.status!.state;
    task.status = update.status;
  }

  forward(
    update: StatusUpdate,
    acknowledgee: string,
    framework: FrameworkRecord,
  ): void {
    const task = framework.tasks.get(update.status?.task_id?.value ?? '');
    if (task && update.uuid) {
      task.statusUpdateState = update.status!.state;
      task.statusUpdateUuid = hex(update.status?.uuid ?? update.uuid);
    }
    this.m.outbox.send(framework.pid!, MesosMessage.StatusUpdate, {
      update,
      pid: acknowledgee,
    });
  }

  /** A master-generated update, forwarded as master.cpp does: `pid` "@0.0.0.0:0", no uuid. */
  forwardMasterUpdate(
    framework: FrameworkRecord,
    task: TaskInfo,
    state: TaskState,
    reason: TaskStatus_Reason,
    message: string,
  ): void {
    this.m.log.info(
      `Sending status update ${state} for task ${task.task_id?.value} of framework ${framework.id} '${message}'`,
    );
    this.forward(
      masterStatusUpdate({
        frameworkId: framework.id,
        agentId: task.slave_id?.value,
        taskId: task.task_id?.value ?? '',
        state,
        message,
        reason,
        now: this.m.now(),
      }),
      NO_ACKNOWLEDGEE,
      framework,
    );
  }

  /** ExitedExecutorMessage from an agent, relayed to a connected framework. */
  exitedExecutor(message: any): void {
    const framework = this.m.frameworks.get(message.framework_id?.value);
    if (framework?.connected) {
      this.m.outbox.send(framework.pid!, MesosMessage.ExitedExecutor, message);
    }
  }
}
