import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import type { MessageHold } from '../wire/message-hold.js';
import { isPromiseLike } from '../wire/wire.utils.js';
import { CompletionObserver } from './completion-observer.js';
import type { EntryRunner } from './entry-runner.js';
import { MailboxQueue } from './mailbox-queue.js';
import type { Pending } from './pending.js';
import {
  EntryKind,
  type ProcessRecord,
  ProcessState,
  type Task,
} from './process-record.js';

/**
 * Queue entries run per event-loop turn (across all processes) before the run loop yields
 * to I/O, so that processes messaging each other locally cannot starve the sockets.
 */
const TURN_BUDGET = 4096;

/**
 * Schedules the processes of a node (libprocess' run queue): each process drains its own
 * queue one entry at a time, waits for a handler's promise or stream before the next one,
 * and the runnable processes take turns within a budget per event-loop turn. Nothing runs
 * before `start()` or after `stop()`; entries queue up meanwhile.
 */
export class RunLoop {
  private started = false;
  /** Processes waiting for their turn, in order. */
  private runnable: ProcessRecord[] = [];
  private scheduledTurn: NodeJS.Immediate | null = null;
  /** Entries this turn may still run. */
  private budget = TURN_BUDGET;
  /** Processes that are not idle; the drain on shutdown waits for zero. */
  private busyCount = 0;
  private onIdle: (() => void) | null = null;

  constructor(private readonly runner: EntryRunner) {}

  get isStarted(): boolean {
    return this.started;
  }

  /**
   * Queues an entry; a dispatch to a terminated process is rejected at once. A message from the
   * wire comes with the `hold` on what its body keeps alive: retained while it is queued, so
   * that its connection stops being read while its queued messages keep too much alive.
   */
  enqueue(
    record: ProcessRecord,
    kind: EntryKind,
    subject: unknown,
    name?: string,
    body?: Buffer,
    hold?: MessageHold,
  ): void {
    if (record.terminated) {
      if (kind === EntryKind.DISPATCH) {
        (subject as Task).reject(new ProcessTerminatedError(record.id));
      }
      return;
    }
    (record.queue ??= new MailboxQueue()).push(kind, subject, name, body, hold);
    hold?.retain();
    if (record.state === ProcessState.IDLE && this.started) {
      this.makeRunnable(record);
    }
  }

  /** Queues an entry before everything already queued (`initialize()` runs first). */
  enqueueFirst(record: ProcessRecord, kind: EntryKind, subject: unknown): void {
    (record.queue ??= new MailboxQueue()).unshift(kind, subject);
    if (record.state === ProcessState.IDLE && this.started) {
      this.makeRunnable(record);
    }
  }

  /** Starts running: every process with queued entries becomes runnable. */
  start(records: Iterable<ProcessRecord>): void {
    this.started = true;
    for (const record of records) {
      if (record.queueDepth > 0 && record.state === ProcessState.IDLE) {
        this.makeRunnable(record);
      }
    }
  }

  /** Resolves true once every queue is empty and no handler runs, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.busyCount === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onIdle = null;
        resolve(false);
      }, timeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /**
   * Empties the queue of a process for good: pending dispatches reject with `reason`.
   * Returns how many entries were dropped.
   */
  dropQueue(record: ProcessRecord, reason: Error): number {
    const queue = record.queue;
    if (queue === null) return 0;
    const dropped = queue.length;
    while (queue.length > 0) {
      const kind = queue.shift();
      queue.hold?.release();
      if (kind === (EntryKind.DISPATCH as number)) {
        (queue.subject as Task).reject(reason);
      } else if (kind === (EntryKind.MESSAGE as number)) {
        record.messagesDropped++;
      }
    }
    queue.dispose();
    return dropped;
  }

  /** Stops running (queues must have been dropped): nothing runs until `start()`. */
  stop(): void {
    this.started = false;
    const runnable = this.runnable;
    this.runnable = [];
    for (const record of runnable) {
      if (record.state === ProcessState.RUNNABLE) this.settle(record);
    }
    if (this.scheduledTurn !== null) {
      clearImmediate(this.scheduledTurn);
      this.scheduledTurn = null;
    }
  }

  private makeRunnable(record: ProcessRecord): void {
    record.state = ProcessState.RUNNABLE;
    this.busyCount++;
    this.runnable.push(record);
    if (this.scheduledTurn === null) {
      this.scheduledTurn = setImmediate(this.turn);
    }
  }

  /** Puts a busy process back into the run queue (its turn budget is spent). */
  private requeue(record: ProcessRecord): void {
    record.state = ProcessState.RUNNABLE;
    this.runnable.push(record);
    if (this.scheduledTurn === null) {
      this.scheduledTurn = setImmediate(this.turn);
    }
  }

  /** One event-loop turn: runnable processes in order, until the budget is spent. */
  private readonly turn = (): void => {
    this.scheduledTurn = null;
    this.budget = TURN_BUDGET;
    const list = this.runnable;
    let next = 0;
    while (next < list.length && this.budget > 0) {
      this.runQueue(list[next++]);
    }
    if (list === this.runnable) {
      if (next === list.length) list.length = 0;
      else list.splice(0, next);
      if (list.length > 0 && this.scheduledTurn === null) {
        this.scheduledTurn = setImmediate(this.turn);
      }
    }
  };

  /** Runs queued entries of one process until it is empty, waits, or the budget is spent. */
  private runQueue(record: ProcessRecord): void {
    const queue = record.queue;
    if (record.terminated || queue === null) {
      this.settle(record);
      return;
    }
    record.state = ProcessState.RUNNING;
    while (queue.length > 0) {
      if (this.budget <= 0) {
        this.requeue(record);
        return;
      }
      this.budget--;
      const kind = queue.shift() as EntryKind;
      // Taken: its body is the handler's now, and its connection may be read again.
      queue.hold?.release();
      const pending = this.runner.run(record, kind, queue);
      if (pending !== undefined && this.wait(record, pending)) return;
      if (record.terminated) break;
    }
    this.settle(record);
  }

  /**
   * Makes the process wait for a handler's promise or stream before its next entry; false
   * when the stream already ended while subscribing (its outcome is then handled here).
   */
  private wait(record: ProcessRecord, pending: Pending): boolean {
    const resume = (record.resume ??= (value) => this.resumed(record, value));
    const fail = (record.fail ??= (error) => this.failed(record, error));
    record.state = ProcessState.WAITING;
    if (isPromiseLike(pending)) {
      pending.then(resume, fail);
      return true;
    }
    const observer = (record.observer ??= new CompletionObserver(resume, fail));
    if (!this.runner.subscribeAs(record, observer, pending)) return true;
    record.state = ProcessState.RUNNING;
    const outcome = observer.value;
    observer.value = undefined;
    if (observer.failed) this.runner.failed(record, outcome);
    else this.runner.completed(record, outcome);
    return false;
  }

  private resumed(record: ProcessRecord, value: unknown): void {
    this.runner.completed(record, value);
    this.resumeQueue(record);
  }

  private failed(record: ProcessRecord, error: unknown): void {
    this.runner.failed(record, error);
    this.resumeQueue(record);
  }

  /** After an awaited handler: go on in this microtask while the turn budget lasts. */
  private resumeQueue(record: ProcessRecord): void {
    if (this.budget > 0 || record.terminated) this.runQueue(record);
    else this.requeue(record);
  }

  private settle(record: ProcessRecord): void {
    record.queue?.idle();
    if (record.state !== ProcessState.IDLE) {
      record.state = ProcessState.IDLE;
      this.busyCount--;
      if (this.busyCount === 0 && this.onIdle !== null) {
        const onIdle = this.onIdle;
        this.onIdle = null;
        onIdle();
      }
    }
    // Entries queued after its last turn.
    if (!record.terminated && record.queueDepth > 0 && this.started) {
      this.makeRunnable(record);
    }
  }
}
