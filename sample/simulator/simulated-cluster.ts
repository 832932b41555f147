import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_AGENT_RESOURCES,
  SIMULATOR_OPTIONS,
  type SimulatorOptions,
} from './simulator.options.js';

/** The process id of the simulated agent, as the first agent of a Mesos agent node is named. */
export const AGENT_PROCESS_ID = 'slave(1)';

/**
 * Identity of the simulated cluster shared by its `master` and `slave(1)` processes: ids are
 * derived from one random master id the way Mesos derives them (`<master id>-0000` for
 * frameworks, `<master id>-S0` for agents, `<master id>-O<n>` for offers).
 */
@Injectable()
export class SimulatedCluster {
  readonly masterId = randomUUID();
  readonly agentId = `${this.masterId}-S0`;
  readonly hostname: string;
  readonly agentResources: { cpus: number; mem: number; disk: number };
  readonly offerIntervalMs: number;
  readonly offerTimeoutMs?: number;
  readonly statusUpdateRetryMs: number;

  constructor(@Inject(SIMULATOR_OPTIONS) options: SimulatorOptions) {
    this.hostname = options.hostname ?? 'localhost';
    this.agentResources = options.agentResources ?? DEFAULT_AGENT_RESOURCES;
    this.offerIntervalMs = options.offerIntervalMs ?? 1000;
    this.offerTimeoutMs = options.offerTimeoutMs;
    this.statusUpdateRetryMs = options.statusUpdateRetryMs ?? 10_000;
  }
}
