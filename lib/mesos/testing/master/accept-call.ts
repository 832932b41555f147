import type { ExecutorInfo, TaskInfo, TaskState } from '../../mesos.types.js';
import { MesosMessage } from '../../mesos.constants.js';
import {
  add,
  contains,
  format,
  fromProto,
  type ResourceBag,
  subtract,
} from '../common/resources.js';
import type { AgentRecord } from './agent-registry.js';
import {
  type FrameworkRecord,
  isPartitionAware,
} from './framework-registry.js';
import { validateTask, validateTaskGroupExecutor } from './task-validation.js';
import { RUN_TASK_GROUP } from '../simulator-internal.js';
import type { SimulatedMaster } from './simulated-master.js';

/** The tasks of a LAUNCH or a LAUNCH_GROUP operation. */
const tasksOf = (op: any): TaskInfo[] =>
  (op.type === 'LAUNCH_GROUP'
    ? op.launch_group?.task_group?.tasks
    : op.launch?.task_infos) ?? [];

/**
 * Master::accept: the offers validated, their resources spent on the LAUNCH operations (each
 * task validated) and LAUNCH_GROUP operations (the group validated as one), every other
 * operation dropped as the v0 API does.
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class AcceptCall {
  constructor(private readonly m: SimulatedMaster) {}

  accept(framework: FrameworkRecord, accept: any): void {
    const offerIds: string[] = (accept.offer_ids ?? []).map(
      (o: { value: string }) => o.value,
    );
    const operations: any[] = accept.operations ?? [];
    const refuseSeconds = accept.filters?.refuse_seconds;
    const error = this.validateOffers(framework, offerIds);
    const launches = operations.filter((op) => op.type === 'LAUNCH');
    if (error) {
      for (const offerId of offerIds) {
        if (this.m.frameworks.getOffer(offerId))
          this.m.offers.discardOffer(offerId);
        else
          this.m.log.warn(
            `Ignoring accept of offer ${offerId} since it is no longer valid`,
          );
      }
      this.m.log.warn(
        `ACCEPT call used invalid offers '[ ${offerIds.join(', ')} ]': ${error}`,
      );
      const state: TaskState = isPartitionAware(framework)
        ? 'TASK_DROPPED'
        : 'TASK_LOST';
      for (const op of operations) {
        if (op.type !== 'LAUNCH' && op.type !== 'LAUNCH_GROUP') {
          this.dropOperation(
            framework,
            op,
            `Operation attempted with invalid offers: ${error}`,
          );
          continue;
        }
        for (const task of tasksOf(op)) {
          this.m.updates.forwardMasterUpdate(
            framework,
            task,
            state,
            'REASON_INVALID_OFFERS',
            `Task launched with invalid offers: ${error}`,
          );
        }
      }
      return;
    }
    if (
      launches.length === 0 ||
      launches.every((op) => (op.launch?.task_infos ?? []).length === 0)
    ) {
      if (operations.every((op) => op.type === 'LAUNCH')) {
        this.m.log.warn(
          `Implicitly declining offers: [ ${offerIds.join(', ')} ] in ACCEPT call for framework ${framework.id} as the launch operation specified no tasks`,
        );
      }
    }
    const first = this.m.frameworks.getOffer(offerIds[0])!;
    const agent = this.m.agents.get(first.agentId)!;
    let remaining: ResourceBag = new Map();
    for (const offerId of offerIds) {
      remaining = add(
        remaining,
        this.m.frameworks.getOffer(offerId)!.resources,
      );
      this.m.offers.discardOffer(offerId, refuseSeconds);
    }
    for (const op of operations) {
      if (op.type === 'LAUNCH_GROUP') {
        remaining = this.launchGroup(framework, agent, op, remaining);
        continue;
      }
      if (op.type !== 'LAUNCH') {
        this.dropOperation(
          framework,
          op,
          'the simulator only runs LAUNCH and LAUNCH_GROUP operations',
        );
        continue;
      }
      const tasks = tasksOf(op);
      if (this.lostWithAgent(framework, agent, tasks)) continue;
      for (const task of tasks) {
        const invalid = validateTask(task, {
          agentId: agent.id,
          available: remaining,
          hasTask: (id) => framework.tasks.has(id),
          hasUnreachableTask: (id) => framework.unreachableTasks.has(id),
        });
        if (invalid) {
          this.m.updates.forwardMasterUpdate(
            framework,
            task,
            'TASK_ERROR',
            'REASON_TASK_INVALID',
            invalid,
          );
          continue;
        }
        const resources = fromProto(task.resources);
        remaining = subtract(remaining, resources);
        const taskId = task.task_id!.value;
        framework.tasks.set(taskId, {
          frameworkId: framework.id,
          taskId,
          agentId: agent.id,
          info: task,
          resources,
          state: 'TASK_STAGING',
        });
        this.m.log.info(
          `Launching task ${taskId} of framework ${framework.id} with resources ${format(resources)} on agent ${agent.id}`,
        );
        this.m.outbox.send(agent.pid, MesosMessage.RunTask, {
          framework: framework.info,
          task,
          pid: framework.pid!.toString(),
        });
      }
    }
  }

  /**
   * LAUNCH_GROUP (Master::_accept): the group is validated as a whole (the first error fails
   * every task with TASK_ERROR, REASON_TASK_GROUP_INVALID), then its tasks are recorded and
   * sent to the agent with their executor. Returns what is left of the offered resources.
   */
  private launchGroup(
    framework: FrameworkRecord,
    agent: AgentRecord,
    op: any,
    available: ResourceBag,
  ): ResourceBag {
    const executor: ExecutorInfo | undefined = op.launch_group?.executor;
    const tasks = tasksOf(op);
    if (this.lostWithAgent(framework, agent, tasks)) return available;
    let error: string | undefined;
    for (const task of tasks) {
      const invalid = validateTask(task, {
        agentId: agent.id,
        available,
        hasTask: (id) => framework.tasks.has(id),
        hasUnreachableTask: (id) => framework.unreachableTasks.has(id),
      });
      if (invalid) {
        error = `Task '${task.task_id?.value}' is invalid: ${invalid}`;
        break;
      }
    }
    error ??= validateTaskGroupExecutor(executor);
    const total = [executor?.resources, ...tasks.map((t) => t.resources)]
      .map((r) => fromProto(r))
      .reduce(add, new Map());
    if (!error && !contains(available, total)) {
      error = `Total resources ${format(total)} required by task group and its executor are more than available ${format(available)}`;
    }
    if (error) {
      for (const task of tasks) {
        this.m.updates.forwardMasterUpdate(
          framework,
          task,
          'TASK_ERROR',
          'REASON_TASK_GROUP_INVALID',
          error,
        );
      }
      return available;
    }
    for (const task of tasks) {
      const taskId = task.task_id!.value;
      framework.tasks.set(taskId, {
        frameworkId: framework.id,
        taskId,
        agentId: agent.id,
        info: task,
        resources: fromProto(task.resources),
        state: 'TASK_STAGING',
      });
    }
    this.m.log.info(
      `Launching task group { ${tasks.map((t) => t.task_id!.value).join(', ')} } of framework ${framework.id} with resources ${format(subtract(total, fromProto(executor!.resources)))} on agent ${agent.id} on  new executor`,
    );
    this.m.outbox.sendInternal(agent.pid, RUN_TASK_GROUP, {
      framework: framework.info,
      executor,
      tasks,
    });
    return subtract(available, total);
  }

  /**
   * Master::_accept on an agent that is removed or disconnected (LAUNCH and LAUNCH_GROUP
   * alike): every task of the operation gets TASK_LOST, or TASK_DROPPED for a partition-aware
   * framework. Returns false, sending nothing, when the agent is there.
   */
  private lostWithAgent(
    framework: FrameworkRecord,
    agent: AgentRecord,
    tasks: TaskInfo[],
  ): boolean {
    if (agent.standing === 'registered' && agent.connected) return false;
    const removed = agent.standing !== 'registered';
    for (const task of tasks) {
      this.m.updates.forwardMasterUpdate(
        framework,
        task,
        isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
        removed ? 'REASON_SLAVE_REMOVED' : 'REASON_SLAVE_DISCONNECTED',
        `Agent ${agent.hostname} is ${removed ? 'removed' : 'disconnected'}`,
      );
    }
    return true;
  }

  /** validation::offer::validate. */
  private validateOffers(
    framework: FrameworkRecord,
    offerIds: string[],
  ): string | undefined {
    if (offerIds.length === 0) return 'No offers specified';
    const seen = new Set<string>();
    let agentId: string | undefined;
    for (const offerId of offerIds) {
      const offer = this.m.frameworks.getOffer(offerId);
      if (!offer) return `Offer ${offerId} is no longer valid`;
      if (seen.has(offerId)) return `Duplicate offer ${offerId} in offer list`;
      seen.add(offerId);
      if (offer.frameworkId !== framework.id) {
        return `Offer ${offerId} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
      }
      if (agentId !== undefined && offer.agentId !== agentId) {
        return `Aggregated offers must belong to one single agent. Offer ${offerId} uses agent ${offer.agentId} and agent ${agentId}`;
      }
      agentId = offer.agentId;
    }
    return undefined;
  }

  /** Master::drop(Framework*, Operation, message): v0 operations get no feedback, only a log line. */
  private dropOperation(
    framework: FrameworkRecord,
    operation: any,
    message: string,
  ): void {
    this.m.log.warn(
      `Dropping ${String(operation.type)} operation from framework ${framework.id}: ${message}`,
    );
  }
}
