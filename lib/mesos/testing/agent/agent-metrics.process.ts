import { Process, Route } from '../../../index.js';
import { Counters } from '../common/counters.js';
import type { AgentProcess } from './agent.process.js';

/**
 * Process `metrics` of the agents' node: `GET /metrics/snapshot` with the counters the
 * simulated agents keep, summed (a real agent is alone on its node, so with one simulated
 * agent the numbers compare one to one).
 */
@Process('metrics')
export class AgentMetricsProcess {
  constructor(private readonly agents: () => readonly AgentProcess[]) {}

  @Route('snapshot', { methods: ['GET'] })
  snapshot(): Record<string, number> {
    return Counters.sum(this.agents().map((agent) => agent.metrics));
  }
}
