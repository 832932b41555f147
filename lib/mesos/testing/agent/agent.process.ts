import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type {
  ExecutorInfo,
  FrameworkInfo,
  TaskInfo,
} from '../../mesos.types.js';
import { MesosMessage } from '../../mesos.constants.js';
import {
  LibprocessContext,
  Mailbox,
  OnExited,
  OnInitialize,
  ProtobufMailbox,
  type ActorRef,
  type Upid,
} from '../../../index.js';
import { hasCapability } from '../master/framework-registry.js';
import { Counters } from '../common/counters.js';
import type { ResourceBag } from '../common/resources.js';
import { SimulatorMessage } from '../simulator.constants.js';
import { AGENT_REGISTERED, RUN_TASK_GROUP } from '../simulator-internal.js';
import type { SimulatorClock } from '../simulator.options.js';
import { AgentRegistration } from './agent-registration.js';
import { AgentStatusUpdates } from './agent-status-updates.js';
import { AgentTasks } from './agent-tasks.js';
import {
  type CommandEvent,
  commandStatus,
  type CommandTaskAgent,
  killGracePeriodMs,
} from './command-task.js';

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
  /** `--work_dir`: the tasks' sandboxes are under `slaves/<agentId>/`. */
  workDir: string;
}

/** ExitedExecutorMessage.status of an executor that exited with status 1 (a wait status). */
const EXECUTOR_EXIT_STATUS_1 = 256;

/**
 * A simulated Mesos agent `slave(N)`: runs each task's command as a child process, with the
 * agent's status update manager semantics (one stream per task, the head re-sent with back-off
 * until acknowledged, resumed at once on UpdateFrameworkMessage), kills tasks, shuts
 * frameworks down, reports ExitedExecutorMessage, and (re-)registers with the master, also
 * after the master's node restarted. A partitioned agent sends nothing until healed.
 *
 * This class receives the messages and timers and owns one part per role:
 * {@link AgentRegistration} (its standing with the master), {@link AgentTasks} (the task
 * table) and {@link AgentStatusUpdates} (the status update manager).
 */
export class AgentProcess {
  private readonly logger: Logger;
  private readonly registration: AgentRegistration;
  private readonly tasks = new AgentTasks();
  private readonly updates: AgentStatusUpdates;
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
    this.registration = new AgentRegistration(actors, settings, this.logger);
    this.updates = new AgentStatusUpdates(
      actors,
      settings,
      this.registration,
      this.tasks,
      this.logger,
    );
  }

  get pid(): Upid {
    return this.registration.self;
  }

  private get commandTaskAgent(): CommandTaskAgent {
    return {
      agentId: this.settings.agentId,
      agentPid: this.pid,
      workDir: this.settings.workDir,
    };
  }

  /** Registered with the current master. */
  get registered(): boolean {
    return this.registration.registered;
  }

  set registered(registered: boolean) {
    this.registration.registered = registered;
  }

  @OnInitialize()
  initialize(self: Upid): void {
    this.registration.self = self;
    this.register();
  }

  /** Sends the (re-)registration to the master, and again until the master answers. */
  register(): void {
    this.registration.register(this.tasks.report());
  }

  @Mailbox(AGENT_REGISTERED)
  onRegistered(@Ctx() ctx: LibprocessContext): void {
    // Pending updates go out again to the new master at once.
    if (this.registration.answered(ctx.from)) this.updates.forwardAll();
  }

  @OnExited()
  masterExited(pid: Upid): void {
    this.registration.masterExited(pid);
  }

  /** Agent-lost mode: stop talking to the master (tasks keep running). */
  partition(): void {
    this.registration.partition();
    for (const task of this.tasks.values()) task.retry?.cancel();
  }

  /** Ends a partition: the agent re-registers with its tasks. */
  heal(): void {
    this.registration.heal();
    this.register();
  }

  @ProtobufMailbox(MesosMessage.RunTask)
  runTask(@Payload() message: any, @Ctx() ctx: LibprocessContext): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    const info: TaskInfo = message.task;
    const frameworkId: string = message.framework?.id?.value ?? '';
    const taskId = info.task_id!.value;
    if (this.tasks.get(frameworkId, taskId)) {
      this.logger.warn(
        `Ignoring running task ${taskId} of framework ${frameworkId}: it is already running`,
      );
      return;
    }
    const task = this.tasks.add({
      frameworkId,
      framework: message.framework,
      info,
      executorId: taskId,
      agent: this.commandTaskAgent,
      statusUpdateRetryMs: this.settings.statusUpdateRetryMs,
      onEvent: (event) =>
        void this.actors
          .dispatch(this.pid, 'commandEvent', frameworkId, taskId, event)
          .catch(() => undefined),
    });
    // The command executor reports TASK_STARTING before it runs the command.
    this.updates.update(task, 'TASK_STARTING');
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
    if (!this.registration.fromMaster(ctx.from)) return;
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
    const tasks = group.tasks.map((info) =>
      this.tasks.add({
        frameworkId,
        framework: group.framework,
        info,
        executorId,
        agent: this.commandTaskAgent,
        statusUpdateRetryMs: this.settings.statusUpdateRetryMs,
        // Never started: there is no executor to run it.
        onEvent: () => undefined,
      }),
    );
    this.logger.log(
      `Executor '${executorId}' of framework ${frameworkId} exited with status 1 (no mesos-default-executor)`,
    );
    this.registration.toMaster(MesosMessage.ExitedExecutor, {
      slave_id: { value: this.settings.agentId },
      framework_id: { value: frameworkId },
      executor_id: { value: executorId },
      status: EXECUTOR_EXIT_STATUS_1,
    });
    for (const task of tasks) {
      this.updates.update(
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
    const task = this.tasks.get(frameworkId, taskId);
    if (!task) return;
    const status = commandStatus(event, task.command.killed);
    this.updates.update(task, status.state, status.message, status.reason);
  }

  @ProtobufMailbox(MesosMessage.KillTask)
  killTask(@Payload() message: any, @Ctx() ctx: LibprocessContext): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    const task = this.tasks.get(
      message.framework_id.value,
      message.task_id.value,
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
      this.updates.update(task, 'TASK_KILLING');
    task.command.kill(
      killGracePeriodMs(message.kill_policy ?? task.info.kill_policy),
    );
  }

  @ProtobufMailbox(SimulatorMessage.ShutdownExecutor)
  shutdownExecutor(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    // The command executor's id is its task's id.
    const task = this.tasks.get(
      message.framework_id?.value,
      message.executor_id?.value,
    );
    // The executor's shutdown grace period less 2 s: the kill policy's, or 3 s.
    task?.command.kill(killGracePeriodMs(task.info.kill_policy));
  }

  @ProtobufMailbox(MesosMessage.ShutdownFramework)
  shutdownFramework(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    this.tasks.discardFramework(message.framework_id.value);
  }

  @ProtobufMailbox(MesosMessage.StatusUpdateAcknowledgement)
  acknowledgement(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    this.updates.acknowledge(message);
  }

  /** The framework re-subscribed (new pid): re-send pending updates at once. */
  @ProtobufMailbox(SimulatorMessage.UpdateFramework)
  updateFramework(
    @Payload() message: any,
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!this.registration.fromMaster(ctx.from)) return;
    this.updates.resume(message.framework_id?.value, message.framework_info);
  }

  /** A framework message for an executor (sent by the scheduler directly, or by the master). */
  @ProtobufMailbox(SimulatorMessage.FrameworkToExecutor)
  frameworkToExecutor(@Payload() message: any): void {
    const frameworkId = message.framework_id?.value;
    const executorId = message.executor_id?.value;
    if (!this.tasks.get(frameworkId, executorId)) {
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
    this.updates.retry(frameworkId, taskId);
  }

  /** Kills every task (the node is closing). */
  shutdown(): void {
    this.tasks.discardAll();
    this.registration.stop();
  }

  /** The tasks this agent runs or still reports (for tests). */
  taskStates(): Array<{
    frameworkId: string;
    taskId: string;
    state: string;
    pending: number;
  }> {
    return this.tasks.states();
  }
}
