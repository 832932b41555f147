import { Inject, Injectable } from '@nestjs/common';
import { isRetryableState, isTerminalState } from '../../lib/mesos/index.js';
import { SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler.config.js';

/** Not yet launched (no Mesos state exists before the ACCEPT). */
export const PENDING = 'PENDING';

/** One task of the run, as the scheduler knows it. */
export interface TaskRecord {
  readonly id: string;
  state: string;
  agentId?: string;
  hostname?: string;
  /** Launches so far (a retryable loss puts the task back to PENDING). */
  launches: number;
  launchedAt?: number;
  endedAt?: number;
  /** The latest status message (e.g. "Command exited with status 1"). */
  message?: string;
}

/** A status applied to a task. */
export interface TaskTransition {
  task: TaskRecord;
  previous: string;
  /** False for a repeated state or an update to a task that is already terminal. */
  changed: boolean;
  /** The loss was retryable and the task went back to PENDING for another launch. */
  requeued: boolean;
}

/**
 * The tasks of this run and their states: which still need an offer, which are active (to
 * reconcile), and whether the run is over.
 */
@Injectable()
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly maxRetries: number;

  constructor(@Inject(SCHEDULER_CONFIG) config: SchedulerConfig) {
    this.maxRetries = config.maxRetries ?? 2;
    for (let i = 1; i <= config.tasks; i++) {
      const id = `task-${i}`;
      this.tasks.set(id, { id, state: PENDING, launches: 0 });
    }
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  get(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  pending(): TaskRecord[] {
    return this.all().filter((task) => task.state === PENDING);
  }

  /** Launched and not yet terminal: what a reconciliation asks the master about. */
  active(): TaskRecord[] {
    return this.all().filter(
      (task) => task.state !== PENDING && !isTerminalState(task.state),
    );
  }

  allTerminal(): boolean {
    return this.all().every((task) => isTerminalState(task.state));
  }

  allFinished(): boolean {
    return this.all().every((task) => task.state === 'TASK_FINISHED');
  }

  markLaunched(
    task: TaskRecord,
    agentId: string,
    hostname: string,
    now: number,
  ): TaskTransition {
    const previous = task.state;
    Object.assign(task, {
      state: 'TASK_STAGING',
      agentId,
      hostname,
      launchedAt: now,
    });
    task.launches++;
    task.endedAt = undefined;
    task.message = undefined;
    return { task, previous, changed: true, requeued: false };
  }

  /**
   * Applies a status update. A retryable loss (TASK_LOST, DROPPED, GONE) of a task that has
   * launches left puts it back to PENDING so that the next offer launches it again.
   */
  applyStatus(
    taskId: string,
    state: string,
    message: string | undefined,
    now: number,
  ): TaskTransition | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.state === PENDING) {
      return undefined;
    }
    const previous = task.state;
    // A terminal state is final (a late or duplicate update cannot revive the task).
    if (previous === state || isTerminalState(previous)) {
      return { task, previous, changed: false, requeued: false };
    }
    task.state = state;
    task.message = message || task.message;
    if (isTerminalState(state)) {
      task.endedAt = now;
    }
    const requeued =
      isRetryableState(state) && task.launches <= this.maxRetries;
    return { task, previous, changed: true, requeued };
  }

  /** Puts a lost task back in the queue (after its loss has been reported). */
  requeue(task: TaskRecord): void {
    task.state = PENDING;
  }
}
