import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isRetryableState, isTerminalState } from 'nestjs-libprocess/mesos';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import type { SavedTask } from './task-state.store.js';

/** Not yet launched (no Mesos state exists before the ACCEPT). */
export const PENDING = 'PENDING';

/** One task of the run (`task-N`), as the scheduler knows it. */
export interface TaskRecord {
  readonly id: string;
  state: string;
  /** The Mesos task id of the current launch: `task-N.<random>`, fresh for every launch. */
  mesosId?: string;
  agentId?: string;
  hostname?: string;
  /** Launches so far (a retryable loss puts the task back to PENDING). */
  launches: number;
  launchedAt?: number;
  endedAt?: number;
  /** The latest status message (e.g. "Command exited with status 1"). */
  message?: string;
  /** Since when the master has answered "lost"/"unknown" for a task we believe active. */
  unknownSince?: number;
}

/** A status applied to a task. */
export interface TaskTransition {
  task: TaskRecord;
  previous: string;
  /** False for a repeated state or an update to a task that is already terminal. */
  changed: boolean;
  /** The loss was retryable and the task has launches left. */
  retryable: boolean;
}

/** `task-2.5f0c9e1a` -> `task-2`: the run's task an id of any launch belongs to. */
export function taskOfMesosId(mesosId: string): string | undefined {
  return /^(task-\d+)\.[0-9a-f]+$/.exec(mesosId)?.[1];
}

/**
 * The tasks of this run and their states: which still need an offer, which are active (to
 * reconcile), and whether the run is over. Every launch gets a fresh Mesos task id, so an update of
 * an older launch is never taken for the current one, and the master never sees a duplicate id.
 */
@Injectable()
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskRecord>();
  /** Mesos ids of earlier launches that may still be running somewhere (to kill if they speak). */
  private readonly stale = new Set<string>();
  private readonly maxRetries: number;

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
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

  /** The task whose current launch has this Mesos id. */
  byMesosId(mesosId: string): TaskRecord | undefined {
    const task = this.tasks.get(taskOfMesosId(mesosId) ?? '');
    return task?.mesosId === mesosId ? task : undefined;
  }

  /** An id of an earlier launch of one of our tasks. */
  isStale(mesosId: string): boolean {
    return this.stale.has(mesosId);
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

  /** A new launch: a fresh Mesos id (the previous one, if any, becomes stale). */
  markLaunched(
    task: TaskRecord,
    agentId: string,
    hostname: string,
    now: number,
  ): string {
    if (task.mesosId) this.stale.add(task.mesosId);
    const mesosId = `${task.id}.${randomBytes(4).toString('hex')}`;
    Object.assign(task, {
      state: 'TASK_STAGING',
      mesosId,
      agentId,
      hostname,
      launchedAt: now,
      endedAt: undefined,
      message: undefined,
      unknownSince: undefined,
    });
    task.launches++;
    return mesosId;
  }

  /**
   * Takes over a task of a previous scheduler instance of this framework (found by implicit
   * reconciliation after a restart): it counts as launched.
   */
  adopt(
    mesosId: string,
    state: string,
    agentId: string | undefined,
    now: number,
  ): TaskRecord | undefined {
    const task = this.tasks.get(taskOfMesosId(mesosId) ?? '');
    if (!task || task.state !== PENDING) return undefined;
    Object.assign(task, { state, mesosId, agentId, launchedAt: now });
    task.launches++;
    if (isTerminalState(state)) task.endedAt = now;
    return task;
  }

  /** Applies a status update of the current launch of a task. */
  applyStatus(
    task: TaskRecord,
    state: string,
    message: string | undefined,
    now: number,
  ): TaskTransition {
    const previous = task.state;
    // A terminal state is final (a late or duplicate update cannot revive the task).
    if (previous === state || isTerminalState(previous)) {
      return { task, previous, changed: false, retryable: false };
    }
    task.state = state;
    task.message = message || task.message;
    task.unknownSince = undefined;
    if (isTerminalState(state)) task.endedAt = now;
    const retryable =
      isRetryableState(state) && task.launches <= this.maxRetries;
    return { task, previous, changed: true, retryable };
  }

  /** Puts a lost task back in the queue (after its loss has been reported). */
  requeue(task: TaskRecord): void {
    task.state = PENDING;
  }

  /** What the state file keeps (see TaskStateStore). */
  snapshot(): { tasks: SavedTask[]; stale: string[] } {
    return {
      tasks: this.all().map((task) => ({
        id: task.id,
        state: task.state,
        mesosId: task.mesosId,
        agentId: task.agentId,
        hostname: task.hostname,
        launches: task.launches,
        launchedAt: task.launchedAt,
        endedAt: task.endedAt,
        message: task.message,
      })),
      stale: [...this.stale],
    };
  }

  /**
   * Takes the tasks back as a previous scheduler instance of this framework recorded them;
   * answers the recorded ids this run does not have (a smaller --tasks).
   */
  restore(saved: { tasks: SavedTask[]; stale: string[] }): string[] {
    const unknown: string[] = [];
    for (const record of saved.tasks) {
      const task = this.tasks.get(record.id);
      if (!task) {
        unknown.push(record.id);
        continue;
      }
      Object.assign(task, {
        state: record.state,
        mesosId: record.mesosId,
        agentId: record.agentId,
        hostname: record.hostname,
        launches: record.launches,
        launchedAt: record.launchedAt,
        endedAt: record.endedAt,
        message: record.message,
      });
    }
    for (const id of saved.stale) this.stale.add(id);
    return unknown;
  }
}
