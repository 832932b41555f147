import { LibprocessError } from '../errors/libprocess.error.js';
import type { Upid } from '../wire/upid.js';
import type { CompletionObserver } from './completion-observer.js';
import type { MailboxQueue } from './mailbox-queue.js';
import { whenAll, type Pending, pendingOf } from './pending.js';
import { EntryKind, type ProcessRecord, type Task } from './process-record.js';
import type {
  MessageContextFactory,
  ProcessingWrapper,
  RuntimeLogger,
} from './runtime.interfaces.js';
import {
  HANDLER_FAILED,
  UNDECODABLE_PROTOBUF,
  UNKNOWN_MAILBOX,
} from './runtime.messages.js';

/**
 * Runs one queue entry of a process: a message through its mailbox handler, a dispatched
 * call, or the `@OnInitialize` / `@OnLinked` / `@OnExited` hooks. While a handler runs
 * synchronously its process is `current` (the default sender of everything it sends).
 * A handler's failure goes to the awaiting caller (dispatch, route) or to the log.
 */
export class EntryRunner {
  /** The process whose handler runs synchronously right now. */
  current: ProcessRecord | null = null;
  /** Set by the transport when it has processing (tracing) hooks. */
  processingWrapper: ProcessingWrapper | null = null;

  constructor(
    private readonly logger: RuntimeLogger,
    private readonly createContext: MessageContextFactory,
  ) {}

  /** Runs the entry last taken from `record.queue`; returns what to wait for, if anything. */
  run(
    record: ProcessRecord,
    kind: EntryKind,
    queue: MailboxQueue,
  ): Pending | undefined {
    const definition = record.definition;
    switch (kind) {
      case EntryKind.MESSAGE:
        return this.runMessage(
          record,
          queue.subject as Upid,
          queue.name as string,
          queue.body as Buffer,
        );
      case EntryKind.DISPATCH:
        return this.runTask(record, queue.subject as Task);
      case EntryKind.EXITED:
        return this.runHooks(
          record,
          definition.onExited,
          queue.subject,
          '@OnExited',
        );
      case EntryKind.LINKED:
        return this.runHooks(
          record,
          definition.onLinked,
          queue.subject,
          '@OnLinked',
        );
      case EntryKind.INITIALIZE:
        return this.runHooks(
          record,
          definition.onInitialize,
          queue.subject,
          '@OnInitialize',
        );
    }
  }

  /** Runs `fn` as the process (it is the default sender meanwhile). */
  runAs<T>(record: ProcessRecord, fn: () => T): T {
    const previous = this.current;
    this.current = record;
    try {
      return fn();
    } finally {
      this.current = previous;
    }
  }

  /**
   * Subscribes to a handler's stream as the process: a cold stream runs the handler's
   * deferred work now, as its call did. True when the stream already ended.
   */
  subscribeAs(
    record: ProcessRecord,
    observer: CompletionObserver,
    stream: Pending,
  ): boolean {
    const previous = this.current;
    this.current = record;
    try {
      return observer.subscribe(stream as never);
    } finally {
      this.current = previous;
    }
  }

  /** The handler that was waited for is done: resolves its caller (dispatch, route). */
  completed(record: ProcessRecord, value: unknown): void {
    const task = record.runningTask;
    if (task !== null) {
      record.runningTask = null;
      task.resolve(value);
    }
  }

  /** The handler that was waited for failed: rejects its caller, or logs the failure. */
  failed(record: ProcessRecord, error: unknown): void {
    const task = record.runningTask;
    if (task !== null) {
      record.runningTask = null;
      task.reject(error);
    } else {
      this.logFailure(record, error, record.runningLabel, record.runningSender);
    }
  }

  logFailure(
    record: ProcessRecord,
    error: unknown,
    what: string,
    from: Upid | undefined,
  ): void {
    // Only messages have a sender; their label is the bare mailbox name.
    const message = HANDLER_FAILED(
      record.pid ?? record.id,
      from !== undefined ? `mailbox "${what}"` : what,
      from,
    );
    if (error instanceof Error) {
      this.logger.error(`${message}: ${error.message}`, error.stack);
    } else {
      this.logger.error(`${message}: ${String(error)}`);
    }
  }

  private runMessage(
    record: ProcessRecord,
    from: Upid,
    name: string,
    body: Buffer,
  ): Pending | undefined {
    const mailbox = record.definition.mailboxes.get(name);
    if (mailbox === undefined) {
      if (this.logger.isDebugEnabled()) {
        this.logger.debug(UNKNOWN_MAILBOX(record.pid!, name, from));
      }
      return undefined;
    }
    let payload: unknown = body;
    if (mailbox.codec !== undefined) {
      try {
        payload = mailbox.codec.decode(body);
      } catch (error) {
        this.logger.warn(
          UNDECODABLE_PROTOBUF(
            record.pid!,
            name,
            from,
            error instanceof Error ? error.message : String(error),
          ),
        );
        return undefined;
      }
    }
    const handler = record.handlers[mailbox.index];
    const wrapper = this.processingWrapper;
    // Processing hooks always get the context; a handler that does not read it does not.
    const context =
      handler.needsContext || wrapper !== null
        ? this.createContext(from, record.pid!, name, body)
        : undefined;
    record.runningLabel = name;
    record.runningSender = from;
    const previous = this.current;
    this.current = record;
    let result: unknown;
    try {
      result =
        wrapper === null
          ? handler.invoke(payload, context, record.instance)
          : wrapper(context, () =>
              handler.invoke(payload, context, record.instance),
            );
    } catch (error) {
      this.logFailure(record, error, name, from);
      return undefined;
    } finally {
      this.current = previous;
    }
    return pendingOf(result);
  }

  private runTask(record: ProcessRecord, task: Task): Pending | undefined {
    const method =
      typeof task.method === 'function'
        ? task.method
        : (record.instance as Record<string, unknown> | null)?.[task.method!];
    if (typeof method !== 'function') {
      task.reject(
        new LibprocessError(
          `Process "${String(record.pid)}" has no method "${String(task.method)}".`,
        ),
      );
      return undefined;
    }
    record.runningLabel = task.label ?? `dispatch of "${method.name}"`;
    record.runningSender = undefined;
    const previous = this.current;
    this.current = record;
    let result: unknown;
    try {
      result = (method as (...args: unknown[]) => unknown).apply(
        record.instance,
        task.args ?? [],
      );
    } catch (error) {
      task.reject(error);
      return undefined;
    } finally {
      this.current = previous;
    }
    const pending = pendingOf(result);
    if (pending === undefined) {
      task.resolve(result);
      return undefined;
    }
    record.runningTask = task;
    return pending;
  }

  private runHooks(
    record: ProcessRecord,
    methods: readonly string[],
    argument: unknown,
    what: string,
  ): Pending | undefined {
    const instance = record.instance as Record<
      string,
      (arg: unknown) => unknown
    > | null;
    if (instance === null) return undefined;
    record.runningLabel = what;
    record.runningSender = undefined;
    let pending: Pending[] | undefined;
    const previous = this.current;
    this.current = record;
    try {
      for (const key of methods) {
        try {
          const next = pendingOf(instance[key](argument));
          if (next !== undefined) (pending ??= []).push(next);
        } catch (error) {
          this.logFailure(record, error, what, undefined);
        }
      }
    } finally {
      this.current = previous;
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : whenAll(pending);
  }
}
