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
   * The framework id resumed after a scheduler restart (`--framework-id`): its tasks are taken
   * back from the state file; without one, the master is asked which of our tasks still run
   * (implicit reconciliation) and those are adopted before anything is launched.
   */
  resumeFrameworkId?: string;
  /**
   * Where the run records its tasks, one file per framework id (see TaskStateStore), so that a
   * restart with `--framework-id` knows which tasks already finished. Unset: not recorded.
   */
  stateDir?: string;
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
