/** Injection token of the {@link SimulatorOptions}. */
export const SIMULATOR_OPTIONS = Symbol('SIMULATOR_OPTIONS');

/** Knobs of the embedded master + agent simulator (all optional; defaults mimic Mesos). */
export interface SimulatorOptions {
  /** Listener of the simulator node (default 127.0.0.1, any free port). */
  ip?: string;
  port?: number;
  /** Hostname reported for the master and the agent (default `localhost`). */
  hostname?: string;
  /** Allocation interval: Mesos' default `--allocation_interval` is 1 s. */
  offerIntervalMs?: number;
  /** Rescind offers not answered within this time (default: never, like Mesos' unset `--offer_timeout`). */
  offerTimeoutMs?: number;
  /** The agent re-sends an unacknowledged status update after this long (Mesos: 10 s). */
  statusUpdateRetryMs?: number;
  /** What the single agent offers. */
  agentResources?: { cpus: number; mem: number; disk: number };
}

export const DEFAULT_AGENT_RESOURCES = { cpus: 4, mem: 4096, disk: 10240 };
