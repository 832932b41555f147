import type { Credential } from './auth/cram-md5.js';

/** Injection token of the {@link MesosSimulatorOptions}. */
export const MESOS_SIMULATOR_OPTIONS = Symbol('MESOS_SIMULATOR_OPTIONS');

/** Wall-clock time as the simulator reads it. Jest/Vitest fake timers drive the default. */
export interface SimulatorClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** `Date.now()`, read at each call so that mocked dates (fake timers) apply. */
export const SYSTEM_CLOCK: SimulatorClock = { now: () => Date.now() };

/** One simulated agent. */
export interface SimulatedAgentOptions {
  /** Scalar and port resources (default cpus 4, mem 4096, disk 10240, ports 31000-32000). */
  resources?: {
    cpus?: number;
    mem?: number;
    disk?: number;
    ports?: [number, number];
  };
  hostname?: string;
}

/**
 * Options of the simulated Mesos cluster (all optional; the defaults are Mesos' defaults or
 * what a test wants: one agent, no authentication, leading at once).
 *
 * @publicApi
 */
export interface MesosSimulatorOptions {
  /** Listener address of the simulator node (default 127.0.0.1, any free port). */
  ip?: string;
  port?: number;
  /** Hostname in MasterInfo, offers and the state endpoint (default `localhost`). */
  hostname?: string;
  /** The agents, `slave(1)`, `slave(2)`... on the same node (default one agent). */
  agents?: number | SimulatedAgentOptions[];
  /** `--allocation_interval` (default 1000 ms). */
  allocationIntervalMs?: number;
  /** `--offer_timeout`: rescind unanswered offers after this long (default: never). */
  offerTimeoutMs?: number;
  /**
   * The agents' `--work_dir`: each command task runs in its sandbox
   * `<workDir>/slaves/<agent id>/frameworks/<framework id>/executors/<task id>/runs/<uuid>`
   * (its MESOS_SANDBOX), with its `stdout` and `stderr` there. Default: a new directory in the
   * OS temp dir, removed by `close()`; a given one is left in place.
   */
  workDir?: string;
  /** Agents re-send unacknowledged updates after this long, doubling up to 10 minutes (Mesos: 10 s). */
  statusUpdateRetryMs?: number;
  /**
   * `--credentials` (CRAM-MD5 principals and secrets). Without them, authentication requests
   * are answered "No authenticator loaded", as a master without credentials does.
   */
  credentials?: Credential[];
  /** `--authenticate_frameworks`: refuse frameworks that did not authenticate (default false). */
  authenticateFrameworks?: boolean;
  /** `--authentication_v0_timeout` (default 15 s). */
  authenticationTimeoutMs?: number;
  /**
   * Start as a non-leading master: `/master/state` answers 307 to `leader` (or 503 without
   * one) and every message is dropped "since not elected yet". See `MesosSimulator.elect()`.
   */
  leading?: boolean;
  /** The leading master's `host:port`, for a non-leader's redirects. */
  leader?: string;
  /**
   * Register this master's MasterInfo in ZooKeeper as an ephemeral sequential
   * `json.info_` znode under the path (`zk://host:port/mesos`), as a Mesos master does.
   */
  zk?: string;
  /** ZooKeeper session timeout (default 10 s, Mesos' `--zk_session_timeout`). */
  zkSessionTimeoutMs?: number;
  /** A fixed master id (default a random UUID). */
  masterId?: string;
  /** Source of the current time (default {@link SYSTEM_CLOCK}). */
  clock?: SimulatorClock;
  /**
   * Hold every inbound scheduler message this long before processing it, while link breaks
   * are seen at once: a slow master, on which a scheduler that closes its sockets right after
   * its last calls gets them refused as "Framework disconnected" (the fault that real masters
   * show under load).
   */
  schedulerMessageDelayMs?: number;
}

export const DEFAULT_AGENT_RESOURCES = {
  cpus: 4,
  mem: 4096,
  disk: 10240,
  ports: [31000, 32000] as [number, number],
};
