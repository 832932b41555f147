import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  type DelayHandle,
  LibprocessContext,
  OnInitialize,
  Process,
  ProtobufMailbox,
  Upid,
} from '../../lib/index.js';
import {
  isTerminalState,
  MASTER_PROCESS_ID,
  MesosMessage,
} from '../../lib/mesos/index.js';
import type {
  KillTaskMessage,
  RunTaskMessage,
  ShutdownFrameworkMessage,
  StatusUpdate,
  StatusUpdateAcknowledgementMessage,
  TaskInfo,
  TaskState,
} from '../../lib/mesos/index.js';
import { AGENT_PROCESS_ID, SimulatedCluster } from './simulated-cluster.js';

interface AgentTask {
  frameworkId: string;
  info: TaskInfo;
  child?: ChildProcess;
  killed: boolean;
  /** The terminal update is queued ('error' and 'close' can both report one end). */
  ended: boolean;
  /** The task's update stream: only the head is in flight until it is acknowledged. */
  updates: StatusUpdate[];
  retry?: DelayHandle;
}

const key = (frameworkId: string, taskId: string) => `${frameworkId}/${taskId}`;

/**
 * A simulated Mesos agent, **a test double and not a Mesos replacement**: process `slave(1)` runs
 * each task's command as a real child process (`sh -c`, like the command executor), and sends
 * TASK_STARTING, TASK_RUNNING and TASK_FINISHED / FAILED / KILLED through the master with a fresh
 * 16-byte uuid and itself as acknowledgee. Like the agent's status update manager it keeps one
 * stream per task and sends the next update only after the current one is acknowledged,
 * re-sending the unacknowledged one at an interval. No containers, sandboxes or resource limits.
 */
@Process(AGENT_PROCESS_ID)
export class AgentSimulatorProcess implements OnApplicationShutdown {
  private readonly logger = new Logger('AgentSimulator');
  private self!: Upid;
  private master!: Upid;
  private readonly tasks = new Map<string, AgentTask>();

  constructor(
    private readonly actors: ActorRef,
    private readonly cluster: SimulatedCluster,
  ) {}

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.master = new Upid(MASTER_PROCESS_ID, self.host, self.port);
  }

  @ProtobufMailbox(MesosMessage.RunTask)
  runTask(
    @Payload() message: RunTaskMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.master)) return;
    const frameworkId = message.framework.id?.value ?? '';
    const task: AgentTask = {
      frameworkId,
      info: message.task,
      killed: false,
      ended: false,
      updates: [],
    };
    this.tasks.set(key(frameworkId, message.task.task_id.value), task);
    this.update(task, 'TASK_STARTING');
    const command = message.task.command ?? {};
    const [file, args] =
      command.shell === false
        ? [command.value ?? '', (command.arguments ?? []).slice(1)]
        : ['/bin/sh', ['-c', command.value ?? '']];
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a kill reaches the whole command (sh and what it started),
      // as the Mesos containerizer kills a task's whole process tree.
      detached: true,
      env: {
        ...process.env,
        MESOS_TASK_ID: message.task.task_id.value,
        MESOS_FRAMEWORK_ID: frameworkId,
      },
    });
    task.child = child;
    const taskId = message.task.task_id.value;
    // Child process events arrive outside the actor; dispatch them onto this process' queue.
    child.stdout?.on('data', (chunk: Buffer) =>
      this.logger.debug(`${taskId} stdout: ${chunk.toString().trimEnd()}`),
    );
    child.stderr?.on('data', (chunk: Buffer) =>
      this.logger.debug(`${taskId} stderr: ${chunk.toString().trimEnd()}`),
    );
    child.once('spawn', () => this.post('taskStarted', frameworkId, taskId));
    child.once('error', (error) =>
      this.post('taskEnded', frameworkId, taskId, null, null, error.message),
    );
    child.once('close', (code, signal) =>
      this.post('taskEnded', frameworkId, taskId, code, signal),
    );
  }

  @ProtobufMailbox(MesosMessage.KillTask)
  killTask(
    @Payload() message: KillTaskMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const task = this.tasks.get(
      key(message.framework_id.value, message.task_id.value),
    );
    if (
      ctx.from.equals(this.master) &&
      task?.child &&
      task.child.exitCode === null
    ) {
      task.killed = true;
      this.signal(task.child, 'SIGTERM');
    }
  }

  /** The framework is gone: kill its tasks and drop their pending updates. */
  @ProtobufMailbox(MesosMessage.ShutdownFramework)
  shutdownFramework(
    @Payload() message: ShutdownFrameworkMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.master)) return;
    for (const [id, task] of this.tasks) {
      if (task.frameworkId === message.framework_id.value) {
        this.discard(id, task);
      }
    }
  }

  @ProtobufMailbox(MesosMessage.StatusUpdateAcknowledgement)
  acknowledgement(
    @Payload() message: StatusUpdateAcknowledgementMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.master)) return;
    const id = key(message.framework_id.value, message.task_id.value);
    const task = this.tasks.get(id);
    const head = task?.updates[0];
    if (
      !task ||
      !head?.uuid ||
      !Buffer.from(head.uuid).equals(Buffer.from(message.uuid))
    ) {
      this.logger.warn(
        `Unexpected acknowledgement for ${message.task_id.value} (uuid ${Buffer.from(message.uuid).toString('hex')})`,
      );
      return;
    }
    task.retry?.cancel();
    task.updates.shift();
    const state = String(head.status.state);
    if (task.updates.length > 0) {
      this.forward(task);
    } else if (isTerminalState(state)) {
      // The executor exits once its terminal update is acknowledged.
      this.tasks.delete(id);
      this.actors.sendProto(
        this.master,
        MesosMessage.ExitedExecutor,
        {
          slave_id: { value: this.cluster.agentId },
          framework_id: { value: task.frameworkId },
          executor_id: { value: task.info.task_id.value },
          status: task.child?.exitCode ?? 0,
        },
        { from: this.self },
      );
    }
  }

  /** Dispatched from the child's 'spawn' event. */
  taskStarted(frameworkId: string, taskId: string): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    if (task) this.update(task, 'TASK_RUNNING');
  }

  /** Dispatched from the child's 'close' or 'error' event. */
  taskEnded(
    frameworkId: string,
    taskId: string,
    code: number | null,
    signal: string | null,
    error?: string,
  ): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    if (!task || task.ended) return;
    task.ended = true;
    if (error !== undefined) {
      this.update(
        task,
        'TASK_FAILED',
        `Failed to launch the command: ${error}`,
      );
    } else if (code === 0) {
      this.update(task, 'TASK_FINISHED', 'Command exited with status 0');
    } else if (signal) {
      this.update(
        task,
        task.killed ? 'TASK_KILLED' : 'TASK_FAILED',
        `Command terminated with signal ${signal}`,
      );
    } else {
      this.update(task, 'TASK_FAILED', `Command exited with status ${code}`);
    }
  }

  /** Timer target: the head update was not acknowledged in time; send it again. */
  retryUpdate(frameworkId: string, taskId: string): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    if (task && task.updates.length > 0) {
      this.logger.debug(
        `Re-sending the unacknowledged ${String(task.updates[0].status.state)} of ${taskId}`,
      );
      this.forward(task);
    }
  }

  onApplicationShutdown(): void {
    for (const [id, task] of this.tasks) {
      this.discard(id, task);
    }
  }

  private update(task: AgentTask, state: TaskState, message?: string): void {
    const timestamp = Date.now() / 1000;
    const uuid = randomBytes(16);
    const taskId = task.info.task_id;
    const executorId = { value: taskId.value };
    const slaveId = { value: this.cluster.agentId };
    task.updates.push({
      framework_id: { value: task.frameworkId },
      executor_id: executorId,
      slave_id: slaveId,
      status: {
        task_id: taskId,
        state,
        source: 'SOURCE_EXECUTOR',
        message,
        slave_id: slaveId,
        executor_id: executorId,
        timestamp,
        uuid,
      },
      timestamp,
      uuid,
    });
    if (task.updates.length === 1) {
      this.forward(task);
    }
  }

  /** Sends the head of the task's stream (with the newest state as latest_state), then waits for its ack. */
  private forward(task: AgentTask): void {
    const head = task.updates[0];
    const update = {
      ...head,
      latest_state: task.updates[task.updates.length - 1].status.state,
    };
    this.actors.sendProto(
      this.master,
      MesosMessage.StatusUpdate,
      { update, pid: this.self.toString() },
      { from: this.self },
    );
    task.retry?.cancel();
    task.retry = this.actors.delay(
      this.cluster.statusUpdateRetryMs,
      this.self,
      'retryUpdate',
      task.frameworkId,
      task.info.task_id.value,
    );
  }

  /** Signals the task's whole process group (its own, see `detached` in runTask). */
  private signal(child: ChildProcess, signal: NodeJS.Signals): void {
    if (
      child.pid === undefined ||
      child.exitCode !== null ||
      child.signalCode !== null
    ) {
      return;
    }
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  /** Runs a method on this process' queue; after shutdown there is nothing left to tell. */
  private post(method: string, ...args: unknown[]): void {
    this.actors.dispatch(this.self, method, ...args).catch((error: Error) => {
      this.logger.debug(`${method} dropped: ${error.message}`);
    });
  }

  private discard(id: string, task: AgentTask): void {
    task.retry?.cancel();
    if (task.child) {
      task.killed = true;
      this.signal(task.child, 'SIGKILL');
      // Nothing will read them any more; do not let them keep the event loop alive.
      task.child.stdout?.destroy();
      task.child.stderr?.destroy();
    }
    this.tasks.delete(id);
  }
}
