import type { SlaveID, TaskID, TaskStatus } from '../mesos.types.js';
import {
  RECONCILIATION_RETRY_MAX_MS,
  RECONCILIATION_RETRY_MIN_MS,
} from './scheduler.constants.js';

/** A task to reconcile: its id, and its agent when known (the master answers faster with it). */
export interface ReconcileTask {
  task_id: TaskID;
  slave_id?: SlaveID;
}

/**
 * One explicit reconciliation that is retried until every task has been answered: a failed-over
 * master drops (or answers nothing to) RECONCILE calls while its agents re-register, so a single
 * call can go unanswered for ever. Any status update of a task counts as its answer.
 */
export class PendingReconciliation {
  readonly pending = new Map<string, ReconcileTask>();
  readonly answers = new Map<string, TaskStatus>();
  private retryMs = RECONCILIATION_RETRY_MIN_MS;
  private readonly settled: Promise<TaskStatus[]>;
  private resolveSettled!: (answers: TaskStatus[]) => void;
  private rejectSettled!: (error: Error) => void;
  /** Cancels the pending retry timer. */
  cancelRetry?: () => void;

  constructor(tasks: readonly ReconcileTask[]) {
    for (const task of tasks) this.pending.set(task.task_id.value, task);
    this.settled = new Promise((resolve, reject) => {
      this.resolveSettled = resolve;
      this.rejectSettled = reject;
    });
    // A driver that stops before the answers must not leave an unhandled rejection behind.
    this.settled.catch(() => undefined);
  }

  get promise(): Promise<TaskStatus[]> {
    return this.settled;
  }

  get done(): boolean {
    return this.pending.size === 0;
  }

  /** The tasks still unanswered, for the next RECONCILE call. */
  tasks(): ReconcileTask[] {
    return [...this.pending.values()];
  }

  /** The delay before the next retry: doubling from 1 s up to 1 min. */
  nextRetryMs(): number {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RECONCILIATION_RETRY_MAX_MS);
    return delay;
  }

  /** Records an update; true when it was the last answer missing. */
  answer(status: TaskStatus): boolean {
    const id = status.task_id.value;
    if (!this.pending.delete(id)) return false;
    this.answers.set(id, status);
    if (this.pending.size > 0) return false;
    this.cancelRetry?.();
    this.resolveSettled([...this.answers.values()]);
    return true;
  }

  fail(error: Error): void {
    this.cancelRetry?.();
    this.rejectSettled(error);
  }
}
