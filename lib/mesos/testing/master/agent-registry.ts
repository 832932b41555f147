import type { Upid } from '../../../index.js';
import type { ResourceBag } from '../common/resources.js';

/**
 * Where an agent stands with the master (the sets of Master::slaves): `registered` (connected
 * or not), `recovered` (in the persistent registry after a master failover, not yet
 * re-registered), `unreachable` (marked unreachable, e.g. health checks failed), `removed`
 * (unregistered or shut down), `gone` (marked gone by an operator).
 */
export type AgentStanding =
  'registered' | 'recovered' | 'unreachable' | 'removed' | 'gone';

export interface AgentRecord {
  id: string;
  pid: Upid;
  hostname: string;
  total: ResourceBag;
  standing: AgentStanding;
  connected: boolean;
  registeredTime: number;
  /** When it was marked unreachable (ms). */
  unreachableTime?: number;
}

/** The agents the simulated master knows, by id. Pure state. */
export class AgentRegistry {
  private readonly agents = new Map<string, AgentRecord>();

  set(agent: AgentRecord): void {
    this.agents.set(agent.id, agent);
  }

  get(id: string | undefined): AgentRecord | undefined {
    return id === undefined ? undefined : this.agents.get(id);
  }

  /** Registered (connected or not). */
  registered(id: string | undefined): AgentRecord | undefined {
    const agent = this.get(id);
    return agent?.standing === 'registered' ? agent : undefined;
  }

  findByPid(pid: Upid): AgentRecord | undefined {
    for (const agent of this.agents.values()) {
      if (agent.pid.equals(pid)) return agent;
    }
    return undefined;
  }

  all(): IterableIterator<AgentRecord> {
    return this.agents.values();
  }

  withStanding(standing: AgentStanding): AgentRecord[] {
    return [...this.agents.values()].filter((a) => a.standing === standing);
  }

  /** Some agent of the registry has not re-registered since the master failed over. */
  anyRecovered(): boolean {
    for (const agent of this.agents.values()) {
      if (agent.standing === 'recovered') return true;
    }
    return false;
  }

  delete(id: string): void {
    this.agents.delete(id);
  }

  clear(): void {
    this.agents.clear();
  }
}
