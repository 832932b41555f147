/** Injection token of the {@link SchedulerConfig}. */
export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');

/** Everything the scheduler needs to run; built from the CLI by `main.ts` or directly by tests. */
export interface SchedulerConfig {
  /** The leading master's pid, `master@ip:port` (ip, not hostname: the sender check compares it). */
  master: string;
  /** Task count, each running `command` with `cpus` and `mem` (MB). */
  tasks: number;
  command: string;
  cpus: number;
  mem: number;
  /** FrameworkInfo.name and .user. */
  frameworkName: string;
  user: string;
  /** FrameworkInfo.failover_timeout in seconds: how long the master waits for a re-subscription. */
  failoverTimeout: number;
  /** Set when resuming a framework after a scheduler restart: subscribes with it and `force`. */
  frameworkId?: string;
  /** libprocess listener of the scheduler node. */
  ip?: string;
  port?: number;
  advertiseIp?: string;
  /**
   * Initial SUBSCRIBE retry back-off (the C++ driver's 2 s registration back-off factor); each
   * retry waits a random time up to it, then it doubles, capped at 1 min and failover_timeout/10.
   */
  registrationBackoffMs?: number;
  /** How often a launched task may be retried after TASK_LOST/DROPPED/GONE (default 2). */
  maxRetries?: number;
}
