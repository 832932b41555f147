import type { Upid } from '../wire/upid.js';
import type { CompletionObserver } from './completion-observer.js';
import type { MailboxQueue } from './mailbox-queue.js';
import type {
  MailboxInvoker,
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
  /** Waiting for a handler's promise or stream before the next message. */
  WAITING,
}

/** Kinds of queue entries; an entry is four slots `[kind, a, b, c]` of the `MailboxQueue`. */
export enum EntryKind {
  /** a: sender Upid, b: name, c: body Buffer */
  MESSAGE,
  /** a: Task (a method call: dispatch, delay, route) */
  DISPATCH,
  /** a: the Upid that went away */
  EXITED,
  /** a: the linked Upid */
  LINKED,
  /** a: the process' own Upid */
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
  /** FIFO of `[kind, a, b, c]` entries; created on the first one, no storage while empty. */
  queue: MailboxQueue | null = null;
  /** Invokers bound to this instance, by `MailboxDefinition.index`. */
  invokers: (MailboxInvoker | undefined)[] | null = null;
  /** Local processes this one linked to, and local processes linked to this one. */
  linkTargets: Set<ProcessRecord> | null = null;
  linkers: Set<ProcessRecord> | null = null;
  askWaiters: AskWaiter[] | null = null;
  /** What runs now, for the log line when it fails asynchronously. */
  activeWhat = '';
  activeFrom: Upid | undefined = undefined;
  activeTask: Task | null = null;
  /** Promise callbacks bound once per process that ever waits. */
  resume: ((value: unknown) => void) | null = null;
  fail: ((error: unknown) => void) | null = null;
  /** Subscribes to the streams its handlers return (created on the first one). */
  observer: CompletionObserver | null = null;

  constructor(
    readonly id: string,
    readonly instance: object | null,
    readonly definition: ProcessDefinition,
    /** A temporary process (the sender of `ask()`), removed when its call ends. */
    readonly ephemeral = false,
  ) {}

  get queueDepth(): number {
    return this.queue === null ? 0 : this.queue.length;
  }
}
