import { taskStateName } from '../../mesos.constants.js';
import { toProto } from '../common/resources.js';
import type { AgentRecord } from './agent-registry.js';
import type { FrameworkRecord, TaskRecord } from './framework-registry.js';
import type { SimulatedMaster } from './simulated-master.js';

const seconds = (ms: number | undefined) =>
  ms === undefined ? undefined : ms / 1000;

function resourcesJson(
  resources: ReturnType<typeof toProto>,
): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const r of resources) {
    json[r.name] =
      r.scalar !== undefined
        ? r.scalar.value
        : `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(', ')}]`;
  }
  return json;
}

function taskJson(task: TaskRecord): Record<string, unknown> {
  return {
    id: task.taskId,
    name: task.info.name,
    framework_id: task.frameworkId,
    slave_id: task.agentId,
    state: taskStateName(task.state),
    resources: resourcesJson(toProto(task.resources)),
    statuses: task.status
      ? [
          {
            state: taskStateName(task.status.state),
            timestamp: task.status.timestamp,
          },
        ]
      : [],
  };
}

function frameworkJson(framework: FrameworkRecord): Record<string, unknown> {
  return {
    id: framework.id,
    name: framework.info.name,
    user: framework.info.user,
    pid: framework.pid?.toString() ?? '',
    hostname: framework.info.hostname ?? '',
    principal: framework.info.principal,
    failover_timeout: framework.info.failover_timeout ?? 0,
    checkpoint: framework.info.checkpoint ?? false,
    roles: framework.info.roles ?? [],
    capabilities: (framework.info.capabilities ?? []).map((c) => c.type),
    active: framework.active,
    connected: framework.connected,
    recovered: framework.recovered,
    registered_time: seconds(framework.registeredTime),
    reregistered_time: seconds(framework.reregisteredTime),
    unregistered_time: seconds(framework.unregisteredTime) ?? 0,
    tasks: [...framework.tasks.values()].map(taskJson),
    completed_tasks: framework.completedTasks.toArray().map(taskJson),
    offers: [...framework.offers.values()].map((o) => ({
      id: o.offer.id?.value,
      slave_id: o.agentId,
      resources: resourcesJson(toProto(o.resources)),
    })),
  };
}

function agentJson(
  master: SimulatedMaster,
  agent: AgentRecord,
): Record<string, unknown> {
  return {
    id: agent.id,
    pid: agent.pid.toString(),
    hostname: agent.hostname,
    active: agent.connected,
    registered_time: seconds(agent.registeredTime),
    resources: resourcesJson(toProto(agent.total)),
    unreserved_resources: resourcesJson(toProto(master.available(agent))),
  };
}

/**
 * `GET /master/frameworks`: the registered frameworks (`frameworks`) and the removed ones
 * (`completed_frameworks`), in the shape of Mesos' endpoint for the fields tests read.
 */
export function frameworksJson(
  master: SimulatedMaster,
): Record<string, unknown> {
  return {
    frameworks: [...master.frameworks.all()].map(frameworkJson),
    completed_frameworks: [...master.frameworks.completedFrameworks()].map(
      frameworkJson,
    ),
    unregistered_frameworks: [],
  };
}

/**
 * `GET /master/state` (and `/state` through the delegate): the fields of Mesos' state endpoint
 * that detectors and tests read (`leader` is what mesos-go's standalone detector parses).
 */
export function stateJson(
  master: SimulatedMaster,
  startTime: number,
  electedTime: number | undefined,
): Record<string, unknown> {
  const agents = [...master.agents.all()];
  return {
    version: master.info.version,
    id: master.info.id,
    pid: master.self.toString(),
    hostname: master.info.hostname,
    start_time: seconds(startTime),
    elected_time: seconds(electedTime),
    leader: master.self.toString(),
    leader_info: master.info,
    activated_slaves: agents.filter(
      (a) => a.standing === 'registered' && a.connected,
    ).length,
    deactivated_slaves: agents.filter(
      (a) => a.standing === 'registered' && !a.connected,
    ).length,
    unreachable_slaves: agents.filter((a) => a.standing === 'unreachable')
      .length,
    recovered_slaves: agents.filter((a) => a.standing === 'recovered').length,
    slaves: agents
      .filter((a) => a.standing === 'registered')
      .map((a) => agentJson(master, a)),
    ...frameworksJson(master),
    orphan_tasks: [],
  };
}
