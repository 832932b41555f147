import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type {
  ExecutorInfo,
  FrameworkInfo,
  StatusUpdate,
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
  TaskStatus_Source,
} from '../../mesos.types.js';
import {
  isTerminalState,
  MesosMessage,
  taskStateName,
} from '../../mesos.constants.js';
import {
  LibprocessContext,
  Mailbox,
  OnExited,
  OnInitialize,
  ProtobufMailbox,
  type ActorRef,
  type DelayHandle,
  type Upid,
} from '../../../index.js';
import { hasCapability } from '../master/framework-registry.js';
import type { AgentReport } from '../master/simulated-master.js';
import { Counters } from '../common/counters.js';
import { toProto, type ResourceBag } from '../common/resources.js';
import { SimulatorMessage } from '../simulator.constants.js';
import {
  AGENT_REGISTER,
  AGENT_REGISTERED,
  RUN_TASK_GROUP,
} from '../simulator-internal.js';
import type { SimulatorClock } from '../simulator.options.js';
import { type CommandEvent, CommandTask } from './command-task.js';
import { StatusUpdateStream } from './status-update-stream.js';

/** How one simulated agent is set up. */
export interface AgentSettings {
  agentId: string;
  hostname: string;
  resources: ResourceBag;
  master: Upid;
  clock: SimulatorClock;
  statusUpdateRetryMs: number;
  /** After the master's link breaks, re-register after this long (and retry as long). */
  reregisterDelayMs: number;
}

interface AgentTask {
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

const key = (frameworkId: string, taskId: string) => `${frameworkId}/${taskId}`;

/** ExitedExecutorMessage.status of an executor that exited with status 1 (a wait status). */
const EXECUTOR_EXIT_STATUS_1 = 256;

/**
 * A simulated Mesos agent `slave(N)`: runs each task's command as a child process, with the
 * agent's status update manager semantics (one stream per task, the head re-sent with back-off
 * until acknowledged, resumed at once on UpdateFrameworkMessage), kills tasks, shuts
 * frameworks down, reports ExitedExecutorMessage, and (re-)registers with the master, also
 * after the master's node restarted. A partitioned agent sends nothing until healed.
 */
export class AgentProcess {
  private readonly logger: Logger;
  private self!: Upid;
  private readonly tasks = new Map<string, AgentTask>();
  /** Registered with the current master. */
  registered = false;
  /** Cut off from the master (agent-lost mode): sends nothing, re-registers when healed. */
  private partitioned = false;
  private reregisterTimer?: DelayHandle;
  /** Framework messages delivered to executors (the command executor ignores them). */
  readonly frameworkMessages: Array<{
    frameworkId: string;
    executorId: string;
    data: Buffer;
  }> = [];
  /** The real agent's counters of framework messages (`/metrics/snapshot` of its node). */
  readonly metrics = new Counters([
    'slave/valid_framework_messages',
    'slave/invalid_framework_messages',
  ] as const);

  constructor(
    private readonly actors: ActorRef,
    readonly settings: AgentSettings,
  ) {
    this.logger = new Logger(`MesosAgent ${settings.agentId}`);
  }

  get pid(): Upid {
    return this.self;
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.register();
  }

  /** Sends the (re-)registration to the master, and again until the master answers. */
  register(): void {
    this.reregisterTimer?.cancel();
    if (this.partitioned) return;
    this.actors.link(this.settings.master, { from: this.self });
    const report: Omit<AgentReport, 'pid'> = {
      id: this.settings.agentId,
      hostname: this.settings.hostname,
      resources: toProto(this.settings.resources),
      tasks: [...this.tasks.values()].map((task) => ({
        frameworkId: task.frameworkId,
        framework: task.framework,
        taskId: task.info.task_id!.value,
        info: { ...task.info, data: undefined },
        state: task.state,
      })),
    };
    this.actors.send(
      this.settings.master,
      AGENT_REGISTER,
      JSON.stringify(report),
      { from: this.self },
    );
    this.reregisterTimer = this.actors.delay(
      this.settings.reregisterDelayMs,
      this.self,
      'register',
    );
  }

  @Mailbox(AGENT_REGISTERED)
  onRegistered(@Ctx() ctx: LibprocessContext): void {
    if (!ctx.from.equals(this.settings.master) || this.partitioned) return;
    this.reregisterTimer?.cancel();
    if (!this.registered) this.logger.log(`Registered with master ${ctx.from}`);
    this.registered = true;
    // Pending updates go out again to the new master at once.
    for (const task of this.tasks.values()) this.forward(task, true);
  }

  @OnExited()
  masterExited(pid: Upid): void {
    if (!pid.equals(this.settings.master) || this.partitioned) return;
    this.logger.log(
      'Master disconnected! Waiting for a new master to be elected',
    );
    this.registered = false;
    this.reregisterTimer?.cancel();
    this.reregisterTimer = this.actors.delay(
      this.settings.reregisterDelayMs,
      this.self,
      'register',
    );
  }

  /** Agent-lost mode: stop talking to the master (tasks keep running). */
  partition(): void {
    this.partitioned = true;
    this.registered = false;
    this.reregisterTimer?.cancel();
    for (const task of this.tasks.values()) task.retry?.cancel();
  }

  /** Ends a partition: the agent re-registers with its tasks. */
  heal(): void {
    this.partitioned = false;
    this.register();
  }

  @ProtobufMailbox(MesosMessage.RunTask)
  runTask(@Payload() message: any, @Ctx() ctx: LibprocessContext): void {
    if (!this.fromMaster(ctx)) return;
    const info: TaskInfo = message.task;
    const frameworkId: string = message.framework?.id?.value ?? '';
    const taskId = info.task_id!.value;
    if (this.tasks.has(key(frameworkId, taskId))) {
      this.logger.warn(
        `Ignoring running task ${taskId} of framework ${frameworkId}: it is already running`,
      );
      return;
    }
    const task: AgentTask = {
      frameworkId,
      framework: message.framework,
      info,
      executorId: taskId,
      state: 'TASK_STAGING',
      stream: new StatusUpdateStream(
        frameworkId,
        taskId,
        this.settings.statusUpdateRetryMs,
      ),
      command: new CommandTask(
        info,
        frameworkId,
        (event) =>
          void this.actors
            .dispatch(this.self, 'commandEvent', frameworkId, taskId, event)
            .catch(() => undefined),
      ),
    };
    this.tasks.set(key(frameworkId, taskId), task);
    // The command executor reports TASK_STARTING before it runs the command.
    this.update(task, 'TASK_STARTING');
    task.command.start();
  }

  /**
   * A task group (simulator-internal, from the master's LAUNCH_GROUP). Task groups run under
   * `mesos-default-executor`, which the Mesos 1.12 build of the test clusters does not have
   * (see ../shared/mesos): there the executor's container exits with status 1 at once, the
   * agent reports ExitedExecutorMessage, then TASK_FAILED (SOURCE_SLAVE,
   * REASON_EXECUTOR_TERMINATED, "Executor terminated") for each task. The simulator answers the
   * same, so that a framework's handling of it is tested on both.
   */
  @Mailbox(RUN_TASK_GROUP)
  runTaskGroup(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (!this.fromMaster(ctx)) return;
    let group: {
      framework: FrameworkInfo;
      executor: ExecutorInfo;
      tasks: TaskInfo[];
    };
    try {
      group = JSON.parse(body.toString()) as typeof group;
    } catch {
      this.logger.warn(`Dropping an unreadable task group from ${ctx.from}`);
      return;
    }
    const frameworkId = group.framework.id?.value ?? '';
    const executorId = group.executor.executor_id.value;
    const tasks = group.tasks.map((info): AgentTask => {
      const taskId = info.task_id!.value;
      const task: AgentTask = {
        frameworkId,
        framework: group.framework,
        info,
        executorId,
        state: 'TASK_STAGING',
        stream: new StatusUpdateStream(
          frameworkId,
          taskId,
          this.settings.statusUpdateRetryMs,
        ),
        // Never started: there is no executor to run it.
        command: new CommandTask(info, frameworkId, () => undefined),
      };
      this.tasks.set(key(frameworkId, taskId), task);
      return task;
    });
    this.logger.log(
      `Executor '${executorId}' of framework ${frameworkId} exited with status 1 (no mesos-default-executor)`,
    );
    this.toMaster(MesosMessage.ExitedExecutor, {
      slave_id: { value: this.settings.agentId },
      framework_id: { value: frameworkId },
      executor_id: { value: executorId },
      status: EXECUTOR_EXIT_STATUS_1,
    });
    for (const task of tasks) {
      this.update(
        task,
        'TASK_FAILED',
        'Executor terminated',
        'REASON_EXECUTOR_TERMINATED',
        'SOURCE_SLAVE',
      );
    }
  }

  /** A child process event, dispatched onto this process' queue. */
  commandEvent(frameworkId: string, taskId: string, event: CommandEvent): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    if (!task) return;
    if (event.kind === 'started') {
      this.update(task, 'TASK_RUNNING');
    } else if (event.kind === 'failed') {
      this.update(
        task,
        'TASK_FAILED',
        `Failed to launch the command: ${event.error}`,
        'REASON_COMMAND_EXECUTOR_FAILED',
      );
    } else if (event.code === 0) {
      this.update(task, 'TASK_FINISHED', 'Command exited with status 0');
    } else if (task.command.killed) {
      this.update(
        task,
        'TASK_KILLED',
        `Command terminated with signal ${event.signal ?? 'SIGTERM'}`,
      );
    } else if (event.signal) {
      this.update(
        task,
        'TASK_FAILED',
        `Command terminated with signal ${event.signal}`,
      );
    } else {
      this.update(
        task,
        'TASK_FAILED',
        `Command exited with status ${event.code}`,
      );
    }
  }

  @ProtobufMailbox(MesosMessage.KillTask)
  killTask(@Payload() message: any, @Ctx() ctx: LibprocessContext): void {
    if (!this.fromMaster(ctx)) return;
    const task = this.tasks.get(
      key(message.framework_id.value, message.task_id.value),
    );
    if (!task) {
      // Slave::killTask for an unknown task: TASK_LOST from the agent ("Cannot find task").
      this.logger.warn(
        `Cannot kill task ${message.task_id.value} of framework ${message.framework_id.value}: unknown task`,
      );
      return;
    }
    if (!task.command.running) return;
    if (hasCapability(task.framework, 'TASK_KILLING_STATE'))
      this.update(task, 'TASK_KILLING');
    task.command.kill('SIGTERM');
  }

  @ProtobufMailbox(SimulatorMessage.ShutdownExecutor)
  shutdownExecutor(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.fromMaster(ctx)) return;
    // The command executor's id is its task's id.
    const task = this.tasks.get(
      key(message.framework_id?.value, message.executor_id?.value),
    );
    task?.command.kill('SIGTERM');
  }

  @ProtobufMailbox(MesosMessage.ShutdownFramework)
  shutdownFramework(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.fromMaster(ctx)) return;
    for (const [id, task] of this.tasks) {
      if (task.frameworkId === message.framework_id.value)
        this.discard(id, task);
    }
  }

  @ProtobufMailbox(MesosMessage.StatusUpdateAcknowledgement)
  acknowledgement(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.fromMaster(ctx)) return;
    const id = key(message.framework_id.value, message.task_id.value);
    const task = this.tasks.get(id);
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
      this.tasks.delete(id);
      // The command executor exits once its terminal update is acknowledged (a task group's
      // executor was reported gone already).
      if (task.executorId !== task.info.task_id!.value) return;
      this.toMaster(MesosMessage.ExitedExecutor, {
        slave_id: { value: this.settings.agentId },
        framework_id: { value: task.frameworkId },
        executor_id: { value: task.executorId },
        status: 0,
      });
    }
  }

  /** The framework re-subscribed (new pid): re-send pending updates at once. */
  @ProtobufMailbox(SimulatorMessage.UpdateFramework)
  updateFramework(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.fromMaster(ctx)) return;
    for (const task of this.tasks.values()) {
      if (task.frameworkId !== message.framework_id?.value) continue;
      if (message.framework_info) task.framework = message.framework_info;
      if (task.stream.resume()) this.forward(task, true);
    }
  }

  /** A framework message for an executor (sent by the scheduler directly, or by the master). */
  @ProtobufMailbox(SimulatorMessage.FrameworkToExecutor)
  frameworkToExecutor(@Payload() message: any): void {
    const frameworkId = message.framework_id?.value;
    const executorId = message.executor_id?.value;
    if (!this.tasks.has(key(frameworkId, executorId))) {
      this.metrics.increment('slave/invalid_framework_messages');
      this.logger.warn(
        `Dropping framework message for executor ${executorId} of framework ${frameworkId}: executor not found`,
      );
      return;
    }
    this.metrics.increment('slave/valid_framework_messages');
    this.frameworkMessages.push({
      frameworkId,
      executorId,
      data: Buffer.from(message.data ?? []),
    });
  }

  /** Timer target: the head update was not acknowledged in time. */
  retryUpdate(frameworkId: string, taskId: string): void {
    const task = this.tasks.get(key(frameworkId, taskId));
    if (task && task.stream.head()) this.forward(task, false);
  }

  /** Kills every task (the node is closing). */
  shutdown(): void {
    for (const [id, task] of this.tasks) this.discard(id, task);
    this.reregisterTimer?.cancel();
  }

  /** The tasks this agent runs or still reports (for tests). */
  taskStates(): Array<{
    frameworkId: string;
    taskId: string;
    state: string;
    pending: number;
  }> {
    return [...this.tasks.values()].map((t) => ({
      frameworkId: t.frameworkId,
      taskId: t.info.task_id!.value,
      state: taskStateName(t.state),
      pending: t.stream.length,
    }));
  }

  private update(
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
    if (isTerminalState(state)) task.command.kill('SIGKILL');
  }

  /** Sends the head of the task's stream (with the newest queued state) and arms the retry. */
  private forward(task: AgentTask, fresh: boolean): void {
    const head = task.stream.head();
    task.retry?.cancel();
    if (!head || this.partitioned || !this.registered) return;
    if (!fresh)
      this.logger.debug(
        `Re-sending the unacknowledged ${taskStateName(head.status?.state)} of ${task.info.task_id!.value}`,
      );
    this.toMaster(MesosMessage.StatusUpdate, {
      update: { ...head, latest_state: task.stream.latestState() },
      pid: this.self.toString(),
    });
    task.retry = this.actors.delay(
      task.stream.sent(),
      this.self,
      'retryUpdate',
      task.frameworkId,
      task.info.task_id!.value,
    );
  }

  private toMaster(type: string, message: object): void {
    if (this.partitioned) return;
    this.actors.sendProto(this.settings.master, type, message, {
      from: this.self,
    });
  }

  private fromMaster(ctx: LibprocessContext): boolean {
    return ctx.from.equals(this.settings.master) && !this.partitioned;
  }

  private discard(id: string, task: AgentTask): void {
    task.retry?.cancel();
    task.command.kill('SIGKILL');
    this.tasks.delete(id);
  }
}
