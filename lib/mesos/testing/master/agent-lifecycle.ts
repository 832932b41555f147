import { MesosMessage } from '../../mesos.constants.js';
import { Upid } from '../../../index.js';
import { fromProto } from '../common/resources.js';
import type { AgentRecord } from './agent-registry.js';
import { isPartitionAware } from './framework-registry.js';
import { masterStatusUpdate, NO_ACKNOWLEDGEE } from './status-updates.js';
import type { AgentReport } from './master.types.js';
import type { SimulatedMaster } from './simulated-master.js';

/**
 * Agents: (re-)registration with the tasks they run (recovering frameworks after a failover),
 * being marked unreachable, and the persistent registry's recovered agents.
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class AgentLifecycle {
  constructor(private readonly m: SimulatedMaster) {}

  /**
   * An agent (re-)registered with the tasks it runs. Frameworks this master does not know are
   * recovered from the agent's report (Framework::RECOVERED), as after a master failover. An
   * agent that was marked unreachable comes back: the tasks of frameworks that are not
   * PARTITION_AWARE were reported lost, so they are shut down on it.
   */
  agentRegistered(report: AgentReport): void {
    const previous = this.m.agents.get(report.id);
    const wasUnreachable = previous?.standing === 'unreachable';
    const pid = Upid.parse(report.pid);
    this.m.agents.set({
      id: report.id,
      pid,
      hostname: report.hostname,
      total: fromProto(report.resources),
      standing: 'registered',
      connected: true,
      registeredTime: this.m.now(),
    });
    this.m.log.info(
      `${previous ? 'Re-registered' : 'Registered'} agent ${report.id} at ${pid} (${report.hostname})`,
    );
    for (const reported of report.tasks) {
      let framework = this.m.frameworks.get(reported.frameworkId);
      if (!framework) {
        if (this.m.frameworks.isCompleted(reported.frameworkId)) {
          this.m.outbox.send(pid, MesosMessage.ShutdownFramework, {
            framework_id: { value: reported.frameworkId },
          });
          continue;
        }
        framework = this.m.frameworks.add(
          reported.framework,
          undefined,
          this.m.now(),
        );
        this.m.log.info(
          `Recovered framework ${framework.id} from agent ${report.id}`,
        );
      }
      if (wasUnreachable && !isPartitionAware(framework)) {
        this.m.log.info(
          `Shutting down framework ${framework.id} on re-registered agent ${report.id}: it is not partition-aware`,
        );
        this.m.outbox.send(pid, MesosMessage.ShutdownFramework, {
          framework_id: { value: framework.id },
        });
        continue;
      }
      framework.unreachableTasks.delete(reported.taskId);
      if (!framework.tasks.has(reported.taskId)) {
        framework.tasks.set(reported.taskId, {
          frameworkId: framework.id,
          taskId: reported.taskId,
          agentId: report.id,
          info: reported.info,
          resources: fromProto(reported.info.resources),
          state: reported.state,
          statusUpdateState: reported.statusUpdateState,
          statusUpdateUuid: reported.statusUpdateUuid,
        });
      }
    }
    this.m.offers.allocate();
  }

  /**
   * The agent failed its health checks (Master::markUnreachable, then __removeSlave): its
   * tasks become TASK_UNREACHABLE (TASK_LOST for frameworks that are not PARTITION_AWARE) with
   * REASON_SLAVE_REMOVED, its offers are rescinded and every framework gets LostSlaveMessage.
   */
  markUnreachable(agentId: string, message = 'health check timed out'): void {
    const agent = this.m.agents.registered(agentId);
    if (!agent) return;
    const unreachableTime = this.m.now();
    this.m.log.info(
      `Marking agent ${agentId} (${agent.hostname}) unreachable: ${message}`,
    );
    agent.standing = 'unreachable';
    agent.connected = false;
    agent.unreachableTime = unreachableTime;
    for (const framework of this.m.frameworks.all()) {
      for (const task of [...framework.tasks.values()]) {
        if (task.agentId !== agentId) continue;
        const pa = isPartitionAware(framework);
        const update = masterStatusUpdate({
          frameworkId: framework.id,
          agentId,
          taskId: task.taskId,
          state: pa ? 'TASK_UNREACHABLE' : 'TASK_LOST',
          message,
          reason: 'REASON_SLAVE_REMOVED',
          unreachableTime,
          now: unreachableTime,
        });
        task.state = update.status!.state;
        this.m.frameworks.removeTask(framework, task.taskId);
        framework.unreachableTasks.add(task.taskId);
        if (framework.connected)
          this.m.updates.forward(update, NO_ACKNOWLEDGEE, framework);
        else
          this.m.log.warn(
            `Dropping update ${update.status!.state} for task ${task.taskId} for disconnected framework ${framework.id}`,
          );
      }
    }
    for (const offer of [...this.m.frameworks.allOffers()]) {
      if (offer.agentId === agentId)
        this.m.offers.rescindOffer(offer.offer.id!.value);
    }
    for (const framework of this.m.frameworks.all()) {
      if (!framework.connected) continue;
      this.m.log.info(
        `Notifying framework ${framework.id} of lost agent ${agentId} (${agent.hostname})`,
      );
      this.m.outbox.send(framework.pid!, MesosMessage.LostSlave, {
        slave_id: { value: agentId },
      });
    }
  }

  /** Agents of the persistent registry after a failover: known, but not yet re-registered. */
  recoverAgents(
    agents: Array<Pick<AgentRecord, 'id' | 'pid' | 'hostname' | 'total'>>,
  ): void {
    for (const agent of agents) {
      this.m.agents.set({
        ...agent,
        standing: 'recovered',
        connected: false,
        registeredTime: this.m.now(),
      });
    }
    if (agents.length > 0) {
      this.m.log.info(
        `Recovered ${agents.length} agents from the registry; allowing 10mins for agents to reregister`,
      );
    }
  }

  /** Recovered agents that did not re-register in time are marked unreachable (and lost). */
  recoveredAgentsTimeout(): void {
    for (const agent of this.m.agents.withStanding('recovered')) {
      agent.standing = 'unreachable';
      agent.unreachableTime = this.m.now();
      for (const framework of this.m.frameworks.all()) {
        if (framework.connected) {
          this.m.outbox.send(framework.pid!, MesosMessage.LostSlave, {
            slave_id: { value: agent.id },
          });
        }
      }
    }
  }
}
