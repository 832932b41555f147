import { EventEmitter } from 'node:events';

import { AskTimeoutError } from '../errors/ask-timeout.error.js';
import { NotListeningError } from '../errors/not-listening.error.js';
import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import type { Upid } from '../wire/upid.js';
import { AskRegistry } from './ask-registry.js';
import { type TimerHandle, TimerSet } from './delay-timer.js';
import { EntryRunner } from './entry-runner.js';
import { type MessageBytes, MessageRouter } from './message-router.js';
import {
  EMPTY_DEFINITION,
  type MailboxHandler,
  type ProcessDefinition,
} from './process-definition.js';
import { ProcessLifecycle } from './process-lifecycle.js';
import { ProcessLinks } from './process-links.js';
import { EntryKind, type ProcessRecord } from './process-record.js';
import { ProcessRoutes } from './process-routes.js';
import {
  flattenMetrics,
  RuntimeCounters,
  type RuntimeMetrics,
} from './runtime-metrics.js';
import { ProcessTable } from './process-table.js';
import { RunLoop } from './run-loop.js';
import {
  CONSOLE_LOGGER,
  createPlainContext,
  type ProcessingWrapper,
  type ProcessManagerOptions,
  type RuntimeLogger,
  type RuntimeTransport,
} from './runtime.interfaces.js';

/** The reply `ask()` resolves with. */
export interface AskResult {
  body: Buffer;
  from: Upid;
}

/**
 * The actor runtime of a node (libprocess' ProcessManager), without any Nest: the one object
 * the Nest layer talks to. It owns the parts and hands each call to the one that does it:
 *
 * - `ProcessTable`: the processes by id; `ProcessLifecycle`: initialize, terminate, shutdown;
 * - `MessageRouter`: where a message goes (a local queue, an `ask()` waiter, the delegate,
 *   the wire); `RunLoop` + `EntryRunner`: each process' queue, one entry at a time;
 * - `ProcessLinks`: local and remote links and their notifications; `AskRegistry`: pending
 *   `ask()` calls; `TimerSet`: `delay` timers; `ProcessRoutes`: HTTP routes.
 *
 * The Nest layer binds handlers and feeds it; it never calls up.
 */
export class ProcessManager {
  /** 'linked' / 'exited' (local and remote links) and 'error' (wire failures). */
  readonly events = new EventEmitter();
  /** A message from the wire; false when no process (nor delegate) takes it (answered 404). */
  readonly deliverRemote: MessageRouter['deliverRemote'];
  /** Routes (`@Route`), `GET /__processes__` and the delegate's routes. */
  readonly handleHttp: ProcessRoutes['handle'];
  private readonly logger: RuntimeLogger;
  private readonly table = new ProcessTable();
  private readonly runner: EntryRunner;
  private readonly runLoop: RunLoop;
  private readonly asks = new AskRegistry((asker) => {
    if (asker.ephemeral) this.terminate(asker);
  });
  private readonly router: MessageRouter;
  private readonly links: ProcessLinks;
  private readonly lifecycle: ProcessLifecycle;
  private readonly timers = new TimerSet();
  private readonly counters = new RuntimeCounters();

  constructor(options: ProcessManagerOptions = {}) {
    this.logger = options.logger ?? CONSOLE_LOGGER;
    this.runner = new EntryRunner(
      this.logger,
      options.createContext ?? createPlainContext,
    );
    this.runLoop = new RunLoop(this.runner);
    this.router = new MessageRouter(
      this.table,
      this.runLoop,
      this.asks,
      this.logger,
      options.delegate,
      this.counters,
    );
    this.links = new ProcessLinks(
      this.table,
      this.runLoop,
      this.events,
      this.counters,
    );
    this.lifecycle = new ProcessLifecycle(
      this.table,
      this.runLoop,
      this.asks,
      this.links,
      this.logger,
      this.counters,
    );
    const routes = new ProcessRoutes(
      this.table,
      this.runLoop,
      this.runner,
      (record) => this.links.linksOf(record),
      () => flattenMetrics(this.metrics()),
      options.delegate,
    );
    this.deliverRemote = this.router.deliverRemote;
    this.handleHttp = routes.handle;
  }

  get isStarted(): boolean {
    return this.runLoop.isStarted;
  }

  get wireNode(): RuntimeTransport | undefined {
    return this.router.node;
  }

  /** The process whose handler runs synchronously right now (the default sender). */
  get current(): ProcessRecord | null {
    return this.runner.current;
  }

  /**
   * Runs `fn` as `record` (e.g. a handler that Nest calls after its guards and pipes); with
   * `acrossAwaits`, also after the awaits of an `async` `fn`.
   */
  runAs<T>(record: ProcessRecord, fn: () => T, acrossAwaits = false): T {
    return this.runner.runAs(record, fn, acrossAwaits);
  }

  setProcessingWrapper(wrapper: ProcessingWrapper | null): void {
    this.runner.processingWrapper = wrapper;
  }

  // ---- the process table ----------------------------------------------------------------

  /**
   * Adds a process. Before `start()` it waits for its pid; afterwards it is routable at once.
   * @throws DuplicateProcessError when the id is taken
   */
  register(
    id: string,
    instance: object | null,
    definition: ProcessDefinition,
    handlers: readonly MailboxHandler[],
    ephemeral = false,
  ): ProcessRecord {
    const record = this.table.add(
      id,
      instance,
      definition,
      handlers,
      ephemeral,
    );
    const node = this.router.node;
    if (node !== undefined) {
      record.pid = node.pid(id);
      this.lifecycle.initialize(record);
    }
    return record;
  }

  /** A free id `base(N)`, N counting up per base as libprocess' `ID::generate`. */
  generateId(base: string): string {
    return this.table.generateId(base);
  }

  get(id: string): ProcessRecord | undefined {
    return this.table.get(id);
  }

  /** The local process of a pid, when it is one of this node. */
  lookup(pid: Upid): ProcessRecord | undefined {
    return this.table.lookup(pid);
  }

  records(): IterableIterator<ProcessRecord> {
    return this.table.values();
  }

  // ---- messages, links, dispatch, ask -----------------------------------------------------

  /** Sends `name` to `to`: enqueued directly for a local process, else over the wire. */
  send(from: Upid, to: Upid, name: string, body: MessageBytes): void {
    this.router.send(from, to, name, body);
  }

  link(record: ProcessRecord, to: Upid): void {
    this.links.link(record, to);
  }

  unlink(record: ProcessRecord, to: Upid): void {
    this.links.unlink(record, to);
  }

  /** The pids a process linked to (local and remote). */
  linksOf(record: ProcessRecord): Upid[] {
    return this.links.linksOf(record);
  }

  /** Runs `method` of the process on its queue; resolves with its (awaited) result. */
  dispatch(
    record: ProcessRecord,
    method: string | ((...args: any[]) => unknown),
    args: unknown[],
  ): Promise<unknown> {
    if (record.terminated) {
      return Promise.reject(new ProcessTerminatedError(record.id));
    }
    return new Promise((resolve, reject) => {
      this.runLoop.enqueue(record, EntryKind.DISPATCH, {
        method,
        args,
        resolve,
        reject,
      });
    });
  }

  /**
   * Sends `name` and resolves with the next message named `reply` from `to` to the asking
   * process (a temporary process `ask(N)` when `from` is null).
   */
  ask(
    from: ProcessRecord | null,
    to: Upid,
    name: string,
    body: MessageBytes,
    reply: string,
    timeoutMs: number,
  ): Promise<AskResult> {
    if (!this.isStarted) {
      return Promise.reject(new NotListeningError('ask()'));
    }
    const asker =
      from ??
      this.register(this.generateId('ask'), null, EMPTY_DEFINITION, [], true);
    return new Promise<AskResult>((resolve, reject) => {
      const waiter = this.asks.add(
        asker,
        to,
        reply,
        timeoutMs,
        resolve,
        reject,
        () => new AskTimeoutError(String(to), name, reply, timeoutMs),
      );
      try {
        this.router.send(asker.pid!, to, name, body);
      } catch (error) {
        this.asks.fail(asker, waiter, error);
      }
    });
  }

  /** Calls `callback` after `ms` unless cancelled; every pending timer is cancelled by `stop()`. */
  addTimer(ms: number, callback: () => void): TimerHandle {
    return this.timers.add(ms, callback);
  }

  cancelTimers(): void {
    this.timers.cancelAll();
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /** Makes every process routable on `node` and starts running their queues. */
  start(node: RuntimeTransport): void {
    this.router.node = node;
    this.links.attach(node);
    node.on('error', this.onWireError);
    this.table.setLocalAddress(node.pid('x').address);
    for (const record of this.table.values()) {
      record.pid = node.pid(record.id);
      this.lifecycle.initialize(record);
    }
    this.runLoop.start(this.table.values());
  }

  /** Removes a process at once (see `ProcessLifecycle.terminate`). */
  terminate(record: ProcessRecord): void {
    this.lifecycle.terminate(record);
  }

  /** Removes a process once everything queued before this call ran. */
  terminateAfterQueue(record: ProcessRecord): Promise<void> {
    return this.lifecycle.terminateAfterQueue(record);
  }

  /** Resolves true once every queue is empty and no handler runs, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.runLoop.drain(timeoutMs);
  }

  /**
   * The node's metrics (`GET /metrics/snapshot` serves them flattened): message counters per
   * process and in total, queue depths, connections and link exits.
   */
  metrics(): RuntimeMetrics {
    return this.counters.collect(this.table.values(), this.router.node);
  }

  /** Drops every queued entry, logged (a shutdown whose drain ran out of time). */
  dropQueued(drainTimeoutMs: number): void {
    this.lifecycle.dropQueued(drainTimeoutMs);
  }

  /** Cancels timers and asks, drops what is still queued (logged), detaches from the wire. */
  stop(drainTimeoutMs = 0): void {
    this.timers.cancelAll();
    this.lifecycle.endAll(drainTimeoutMs);
    this.runLoop.stop();
    this.router.node?.off('error', this.onWireError);
    this.router.node = undefined;
    this.links.detach();
    this.table.setLocalAddress(undefined);
  }

  private readonly onWireError = (error: Error): void => {
    if (this.events.listenerCount('error') > 0) {
      this.events.emit('error', error);
    } else {
      // A network condition (peer unreachable, queue full), not a bug here: one line, no
      // stack, so a peer that stays down does not bury the log.
      this.logger.warn(error.message);
    }
  };
}
