import { AsyncLocalStorage } from 'node:async_hooks';

import { LibprocessError } from '../errors/libprocess.error.js';
import { LogCoalescer, withRepeats } from '../wire/log-coalescer.js';
import type { Upid } from '../wire/upid.js';
import type { CompletionObserver } from './completion-observer.js';
import type { MailboxHandler } from './process-definition.js';
import type { MailboxQueue } from './mailbox-queue.js';
import {
  isAsyncFunction,
  type Pending,
  pendingOf,
  whenAll,
} from './pending.js';
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

/** Calls a mailbox handler, inside the processing hooks when there are any. */
function invokeHandler(
  handler: MailboxHandler,
  wrapper: ProcessingWrapper | null,
  payload: unknown,
  context: unknown,
  instance: object | null,
): unknown {
  return wrapper === null
    ? handler.invoke(payload, context, instance)
    : wrapper(context, () => handler.invoke(payload, context, instance));
}

/**
 * Runs one queue entry of a process: a message through its mailbox handler, a dispatched
 * call, or the `@OnInitialize` / `@OnLinked` / `@OnExited` hooks. While a handler runs
 * synchronously its process is `current` (the default sender of everything it sends).
 * An `async` handler also runs in its process' async context, so that the process stays
 * the default sender after an `await` (an `AsyncLocalStorage`, entered only for `async`
 * handlers: synchronous ones, the hot path, pay nothing for it). A handler's failure goes
 * to the awaiting caller (dispatch, route) or to the log.
 */
export class EntryRunner {
  /** The process whose handler runs synchronously right now. */
  private running: ProcessRecord | null = null;
  /** The process whose `async` handler (or its continuation after an await) runs. */
  private readonly asyncScope = new AsyncLocalStorage<ProcessRecord>();
  /** Lines about bad input from peers: one per mailbox every 10 s, then a count. */
  private readonly badInput = new LogCoalescer<
    [level: 'debug' | 'warn', line: string]
  >(10_000, ([level, line], repeats) =>
    this.logger[level](withRepeats(line, repeats, 10_000)),
  );
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

  /** The process that is the default sender here: its handler runs, or awaits. */
  get current(): ProcessRecord | null {
    return this.running ?? this.asyncScope.getStore() ?? null;
  }

  /**
   * Runs `fn` as the process (it is the default sender meanwhile); with `acrossAwaits` also
   * what `fn` runs after its awaits (for an `async` function; it costs a context switch).
   */
  runAs<T>(record: ProcessRecord, fn: () => T, acrossAwaits: boolean): T {
    const previous = this.running;
    this.running = record;
    try {
      return acrossAwaits ? this.asyncScope.run(record, fn) : fn();
    } finally {
      this.running = previous;
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
    const previous = this.running;
    this.running = record;
    try {
      return observer.subscribe(stream as never);
    } finally {
      this.running = previous;
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
    this.logger.handlerFailed(
      HANDLER_FAILED(
        record.pid ?? record.id,
        from !== undefined ? `mailbox "${what}"` : what,
        from,
      ),
      error,
    );
  }

  private runMessage(
    record: ProcessRecord,
    from: Upid,
    name: string,
    body: Buffer,
  ): Pending | undefined {
    const mailbox = record.definition.mailboxes.get(name);
    if (mailbox === undefined) {
      record.messagesDropped++;
      if (this.logger.isDebugEnabled()) {
        this.badInput.add(`${record.id}/${name}`, [
          'debug',
          UNKNOWN_MAILBOX(record.pid!, name, from),
        ]);
      }
      return undefined;
    }
    let payload: unknown = body;
    if (mailbox.codec !== undefined) {
      try {
        payload = mailbox.codec.decode(body);
      } catch (error) {
        record.messagesDropped++;
        this.badInput.add(`${record.id}/${name}`, [
          'warn',
          UNDECODABLE_PROTOBUF(
            record.pid!,
            name,
            from,
            error instanceof Error ? error.message : String(error),
          ),
        ]);
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
    const previous = this.running;
    this.running = record;
    let result: unknown;
    try {
      result =
        handler.isAsync === true
          ? this.asyncScope.run(
              record,
              invokeHandler,
              handler,
              wrapper,
              payload,
              context,
              record.instance,
            )
          : invokeHandler(handler, wrapper, payload, context, record.instance);
    } catch (error) {
      this.logFailure(record, error, name, from);
      return undefined;
    } finally {
      this.running = previous;
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
    const previous = this.running;
    this.running = record;
    let result: unknown;
    try {
      result = isAsyncFunction(method)
        ? this.asyncScope.run(record, () =>
            method.apply(record.instance, task.args ?? []),
          )
        : method.apply(record.instance, task.args ?? []);
    } catch (error) {
      task.reject(error);
      return undefined;
    } finally {
      this.running = previous;
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
    const previous = this.running;
    this.running = record;
    try {
      for (const key of methods) {
        try {
          const hook = instance[key];
          const next = pendingOf(
            isAsyncFunction(hook)
              ? this.asyncScope.run(record, () => hook.call(instance, argument))
              : hook.call(instance, argument),
          );
          if (next !== undefined) (pending ??= []).push(next);
        } catch (error) {
          this.logFailure(record, error, what, undefined);
        }
      }
    } finally {
      this.running = previous;
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : whenAll(pending);
  }
}
