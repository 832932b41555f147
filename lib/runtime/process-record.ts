import type { Upid } from '../wire/upid.js';
import type { CompletionObserver } from './completion-observer.js';
import type { MailboxQueue } from './mailbox-queue.js';
import type {
  MailboxHandler,
  ProcessDefinition,
} from './process-definition.js';

/** Scheduling state of a process. */
export enum ProcessState {
  /** No queued work, not in the run queue. */
  IDLE,
  /** In the run queue. */
  RUNNABLE,
  /** Its queue is being drained synchronously. */
  RUNNING,
  /** Waiting for a handler's promise or stream before the next entry. */
  WAITING,
}

export const STATE_NAMES = ['idle', 'runnable', 'running', 'waiting'] as const;

/** Kinds of queue entries: `[kind, subject, name, body]` in the `MailboxQueue`. */
export enum EntryKind {
  /** subject: sender Upid, name: message name, body: Buffer */
  MESSAGE,
  /** subject: Task (a method call: dispatch, delay, route) */
  DISPATCH,
  /** subject: the Upid that went away */
  EXITED,
  /** subject: the linked Upid */
  LINKED,
  /** subject: the process' own Upid */
  INITIALIZE,
}

/** A queued call whose outcome someone awaits. */
export interface Task {
  readonly method?: string | ((...args: any[]) => unknown);
  readonly args?: unknown[];
  /** How the call is named in the log when it fails (default: the method name). */
  readonly label?: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A pending `ask()`: the reply it waits for, from whom. */
export interface AskWaiter {
  readonly to: Upid;
  readonly reply: string;
  readonly timer: NodeJS.Timeout;
  resolve(value: { body: Buffer; from: Upid }): void;
  reject(error: unknown): void;
}

/**
 * One process of this node. Everything beyond the id, instance and definition is created on
 * first use, so that idle processes stay small (100k of them must fit in a few hundred MB).
 */
export class ProcessRecord {
  pid: Upid | undefined = undefined;
  state = ProcessState.IDLE;
  terminated = false;
  /** FIFO of entries; created on the first one, no storage while empty. */
  queue: MailboxQueue | null = null;
  /** Local processes this one linked to, and local processes linked to this one. */
  linkTargets: Set<ProcessRecord> | null = null;
  linkers: Set<ProcessRecord> | null = null;
  askWaiters: AskWaiter[] | null = null;
  /** What the handler being waited for is, for the log line when it fails later. */
  runningLabel = '';
  /** The sender of the message being handled (undefined for other entries). */
  runningSender: Upid | undefined = undefined;
  /** The dispatch or route call being waited for, resolved with the handler's outcome. */
  runningTask: Task | null = null;
  /** Promise callbacks bound once per process that ever waits. */
  resume: ((value: unknown) => void) | null = null;
  fail: ((error: unknown) => void) | null = null;
  /** Subscribes to the streams its handlers return (created on the first one). */
  observer: CompletionObserver | null = null;
  /** Metrics (`GET /metrics/snapshot`): one increment each on the message path. */
  messagesReceived = 0;
  messagesSent = 0;
  messagesDropped = 0;

  constructor(
    readonly id: string,
    readonly instance: object | null,
    readonly definition: ProcessDefinition,
    /** Bound handlers, by `MailboxDefinition.index` (often shared by a whole class). */
    readonly handlers: readonly MailboxHandler[],
    /** A temporary process (the sender of `ask()`), removed when its call ends. */
    readonly ephemeral = false,
  ) {}

  get queueDepth(): number {
    return this.queue === null ? 0 : this.queue.length;
  }
}
