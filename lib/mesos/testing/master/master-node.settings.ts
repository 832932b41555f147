import type { Credential } from '../auth/cram-md5.js';
import type { ResourceBag } from '../common/resources.js';
import type { SimulatorClock } from '../simulator.options.js';

/** Injection token of the {@link MasterNodeSettings}. */
export const MASTER_NODE_SETTINGS = Symbol('MASTER_NODE_SETTINGS');

/** An agent of the persistent registry (`--registry=replicated_log`), kept across failovers. */
export interface RegistryAgent {
  id: string;
  pid: string;
  hostname: string;
  total: ResourceBag;
}

/** One master incarnation's settings (resolved from the simulator options). */
export interface MasterNodeSettings {
  masterId: string;
  hostname?: string;
  clock: SimulatorClock;
  allocationIntervalMs: number;
  offerTimeoutMs?: number;
  credentials?: Credential[];
  authenticateFrameworks?: boolean;
  authenticationTimeoutMs?: number;
  /** False: start as a non-leader. */
  leading?: boolean;
  /** The leader's host:port (updated when this master is elected). */
  leader?: string;
  schedulerMessageDelayMs?: number;
  /** Agents recovered from the persistent registry after a failover. */
  recoveredAgents?: RegistryAgent[];
}
