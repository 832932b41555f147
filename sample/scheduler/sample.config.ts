/** Injection token of the {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

/** The framework logic's settings (the driver's are `SchedulerDriverOptions`). */
export interface SampleConfig {
  /** Task count, each running `command` with `cpus` and `mem` (MB). */
  tasks: number;
  command: string;
  cpus: number;
  mem: number;
  /**
   * Resuming a framework id after a scheduler restart: before launching anything, ask the master
   * which of our tasks still run (implicit reconciliation) and adopt them.
   */
  resumed: boolean;
  /** How often a task may be launched again after TASK_LOST/DROPPED/GONE (default 2). */
  maxRetries?: number;
  /**
   * How long a task the master answers TASK_LOST/UNKNOWN for during reconciliation is given for
   * its agent to re-register (a failed-over master learns about agents only then) before it
   * counts as lost and is launched again (default 90 s, past Mesos' 75 s agent ping timeout).
   */
  lostGraceMs?: number;
  /** How long an implicit reconciliation collects our surviving tasks after a restart (default 3 s). */
  adoptWindowMs?: number;
}
