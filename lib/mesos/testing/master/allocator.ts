import { add, type ResourceBag, scalar } from '../common/resources.js';

/** An agent as the allocator sees it. */
export interface AllocatorAgent {
  id: string;
  /** Total minus what tasks use minus what is offered. */
  available: ResourceBag;
  /** Registered, connected and not being drained. */
  active: boolean;
  /** Total resources, for the frameworks' shares. */
  total: ResourceBag;
}

/** A framework as the allocator sees it. */
export interface AllocatorFramework {
  id: string;
  /** Connected and active (not deactivated, not failing over). */
  active: boolean;
  /** SUPPRESS: no offers until REVIVE. */
  suppressed: boolean;
  /** What its tasks use and its offers hold, for the dominant share. */
  allocated: ResourceBag;
  /** Refusal filters by agent id: no offer of that agent before this time (ms). */
  filters: ReadonlyMap<string, number>;
}

/** One offer to make. */
export interface Allocation {
  frameworkId: string;
  agentId: string;
  resources: ResourceBag;
}

/**
 * Mesos' default `--min_allocatable_resources` ("cpus:0.01|mem:32", MIN_CPUS and MIN_MEM in
 * src/master/constants.hpp): an agent with less than both free is not offered.
 */
export const MIN_ALLOCATABLE = { cpus: 0.01, mem: 32 } as const;

function allocatable(resources: ResourceBag): boolean {
  return (
    scalar(resources, 'cpus') >= MIN_ALLOCATABLE.cpus ||
    scalar(resources, 'mem') >= MIN_ALLOCATABLE.mem
  );
}

/** The largest share the framework holds of any scalar resource of the cluster (DRF). */
export function dominantShare(
  allocated: ResourceBag,
  cluster: ResourceBag,
): number {
  let share = 0;
  for (const [name, total] of cluster) {
    if (typeof total !== 'number' || total <= 0) continue;
    share = Math.max(share, scalar(allocated, name) / total);
  }
  return share;
}

/**
 * One allocation cycle of the hierarchical DRF allocator, reduced to what a single-role cluster
 * needs: for each active agent, all its available resources go to the active, unsuppressed
 * framework with the lowest dominant share (ties by framework id, for determinism) that has no
 * refusal filter on that agent. The shares are updated as offers are made, so several agents
 * spread over several frameworks. Pure: the caller turns the result into offers.
 */
export function allocate(
  agents: readonly AllocatorAgent[],
  frameworks: readonly AllocatorFramework[],
  now: number,
): Allocation[] {
  const cluster = agents.reduce<ResourceBag>(
    (sum, agent) => add(sum, agent.total),
    new Map(),
  );
  const shares = new Map(
    frameworks
      .filter((f) => f.active && !f.suppressed)
      .map((f) => [f.id, { framework: f, allocated: f.allocated }]),
  );
  const allocations: Allocation[] = [];
  for (const agent of agents) {
    if (!agent.active || !allocatable(agent.available)) continue;
    const candidates = [...shares.values()]
      .filter(({ framework }) => (framework.filters.get(agent.id) ?? 0) <= now)
      .sort(
        (a, b) =>
          dominantShare(a.allocated, cluster) -
            dominantShare(b.allocated, cluster) ||
          a.framework.id.localeCompare(b.framework.id),
      );
    const chosen = candidates[0];
    if (!chosen) continue;
    allocations.push({
      frameworkId: chosen.framework.id,
      agentId: agent.id,
      resources: agent.available,
    });
    chosen.allocated = add(chosen.allocated, agent.available);
  }
  return allocations;
}
