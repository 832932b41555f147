import { EventEmitter } from 'node:events';

import { AskTimeoutError } from '../errors/ask-timeout.error.js';
import { NotListeningError } from '../errors/not-listening.error.js';
import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import type { Upid } from '../wire/upid.js';
import { AskRegistry } from './ask-registry.js';
import { DelayTimer, type TimerHandle } from './delay-timer.js';
import { EntryRunner } from './entry-runner.js';
import {
  addLocalLink,
  detachLocalLinks,
  localLinkTargets,
  removeLocalLink,
} from './local-links.js';
import {
  EMPTY_DEFINITION,
  type MailboxHandler,
  type ProcessDefinition,
} from './process-definition.js';
import {
  EntryKind,
  type ProcessRecord,
  ProcessState,
  STATE_NAMES,
} from './process-record.js';
import { ProcessRoutes } from './process-routes.js';
import { ProcessTable } from './process-table.js';
import { RunLoop } from './run-loop.js';
import {
  flattenMetrics,
  RuntimeCounters,
  type RuntimeMetrics,
} from './runtime-metrics.js';
import {
  CONSOLE_LOGGER,
  createPlainContext,
  type ProcessingWrapper,
  type ProcessManagerOptions,
  type RuntimeLogger,
  type RuntimeTransport,
} from './runtime.interfaces.js';
import {
  DROPPED_ON_SHUTDOWN,
  HANDLER_RUNNING_AT_SHUTDOWN,
  NO_LOCAL_PROCESS,
} from './runtime.messages.js';

const EMPTY_BODY = Buffer.alloc(0);

/** The reply `ask()` resolves with. */
export interface AskResult {
  body: Buffer;
  from: Upid;
}

function toBuffer(body: Buffer | Uint8Array | string | undefined): Buffer {
  if (body === undefined) return EMPTY_BODY;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * The actor runtime of a node (libprocess' ProcessManager), without any Nest: it keeps the
 * process table, delivers messages (locally without a socket, remotely through the
 * `WireNode`), runs every process' queue on the run loop, keeps local links, `ask()`
 * waiters, timers and routes. The Nest layer binds handlers and feeds it; it never calls up.
 */
export class ProcessManager {
  /** 'linked' / 'exited' (local and remote links) and 'error' (wire failures). */
  readonly events = new EventEmitter();
  private readonly logger: RuntimeLogger;
  private readonly delegate: string | undefined;
  private readonly table = new ProcessTable();
  private readonly runner: EntryRunner;
  private readonly runLoop: RunLoop;
  private readonly asks = new AskRegistry((asker) => {
    if (asker.ephemeral) this.terminate(asker);
  });
  private readonly routes: ProcessRoutes;
  private readonly timers = new Set<DelayTimer>();
  private readonly counters = new RuntimeCounters();
  /** The process that sent last (see `senderOf`). */
  private lastSender: ProcessRecord | undefined = undefined;
  private node: RuntimeTransport | undefined;

  constructor(options: ProcessManagerOptions = {}) {
    this.logger = options.logger ?? CONSOLE_LOGGER;
    this.delegate = options.delegate;
    this.runner = new EntryRunner(
      this.logger,
      options.createContext ?? createPlainContext,
    );
    this.runLoop = new RunLoop(this.runner);
    this.routes = new ProcessRoutes(
      this.table,
      this.runLoop,
      this.runner,
      () => this.snapshot(),
      () => flattenMetrics(this.metrics()),
      this.delegate,
    );
  }

  get isStarted(): boolean {
    return this.runLoop.isStarted;
  }

  get wireNode(): RuntimeTransport | undefined {
    return this.node;
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
    if (this.node !== undefined) {
      record.pid = this.node.pid(id);
      this.initialize(record);
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

  /** Makes every process routable on `node` and starts running their queues. */
  start(node: RuntimeTransport): void {
    this.node = node;
    this.table.setLocalAddress(node.pid('x').address);
    node.on('linked', this.onWireLinked);
    node.on('exited', this.onWireExited);
    node.on('error', this.onWireError);
    for (const record of this.table.values()) {
      record.pid = node.pid(record.id);
      this.initialize(record);
    }
    this.runLoop.start(this.table.values());
  }

  // ---- inbound -------------------------------------------------------------------------

  /** A message from the wire; false when no process (nor delegate) takes it (answered 404). */
  readonly deliverRemote = (
    from: Upid,
    to: string,
    name: string,
    body: Buffer,
  ): boolean => {
    const record = this.table.get(to);
    if (record !== undefined) {
      this.deliver(record, from, name, body);
      return true;
    }
    if (this.deliverToDelegate(from, to, name, body)) return true;
    this.counters.droppedNoProcess++;
    return false;
  };

  /** Routes (`@Route`), `GET /__processes__` and the delegate's routes. */
  get handleHttp(): ProcessRoutes['handle'] {
    return this.routes.handle;
  }

  // ---- outbound ------------------------------------------------------------------------

  /** Sends `name` to `to`: enqueued directly for a local process, else over the wire. */
  send(
    from: Upid,
    to: Upid,
    name: string,
    body: Buffer | Uint8Array | string | undefined,
  ): void {
    const sender = this.senderOf(from);
    if (sender !== undefined) sender.messagesSent++;
    if (this.table.isLocal(to)) {
      const target = this.table.get(to.id);
      if (target !== undefined) {
        this.deliver(target, from, name, toBuffer(body));
      } else if (!this.deliverToDelegate(from, to.id, name, toBuffer(body))) {
        this.counters.droppedNoProcess++;
        if (this.logger.isDebugEnabled()) {
          this.logger.debug(NO_LOCAL_PROCESS(name, from, to));
        }
      }
      return;
    }
    if (this.node === undefined) throw new NotListeningError('send messages');
    this.node.send(from, to, name, body);
  }

  /** Queues the message, unless it is the reply a pending `ask()` of the process waits for. */
  deliver(record: ProcessRecord, from: Upid, name: string, body: Buffer): void {
    record.messagesReceived++;
    if (
      record.askWaiters !== null &&
      this.asks.answer(record, from, name, body)
    ) {
      return;
    }
    this.runLoop.enqueue(record, EntryKind.MESSAGE, from, name, body);
  }

  link(record: ProcessRecord, to: Upid): void {
    if (this.table.isLocal(to)) {
      const target = this.table.get(to.id);
      if (target === record) return;
      if (target === undefined || target.terminated) {
        // As libprocess: linking to a process that does not exist reports its exit at once.
        this.notifyExited(record, to);
      } else if (addLocalLink(record, target)) {
        this.notifyLinked(record, to);
      }
      return;
    }
    if (this.node === undefined) throw new NotListeningError('link');
    this.node.link(record.pid!, to);
  }

  unlink(record: ProcessRecord, to: Upid): void {
    if (this.table.isLocal(to)) {
      const target = this.table.get(to.id);
      if (target !== undefined) removeLocalLink(record, target);
      return;
    }
    this.node?.unlink(record.pid!, to);
  }

  /** The pids a process linked to (local and remote). */
  linksOf(record: ProcessRecord): Upid[] {
    const links = localLinkTargets(record).map((target) => target.pid!);
    if (this.node !== undefined && record.pid !== undefined) {
      links.push(...this.node.linksOf(record.pid));
    }
    return links;
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

  /** Calls `callback` after `ms` unless cancelled; every pending timer is cancelled by `stop()`. */
  addTimer(ms: number, callback: () => void): TimerHandle {
    return new DelayTimer(ms, callback, this.timers);
  }

  cancelTimers(): void {
    for (const timer of [...this.timers]) timer.cancel();
  }

  /**
   * Sends `name` and resolves with the next message named `reply` from `to` to the asking
   * process (a temporary process `ask(N)` when `from` is null).
   */
  ask(
    from: ProcessRecord | null,
    to: Upid,
    name: string,
    body: Buffer | Uint8Array | string | undefined,
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
        this.send(asker.pid!, to, name, body);
      } catch (error) {
        this.asks.fail(asker, waiter, error);
      }
    });
  }

  /**
   * Removes a process: queued work is dropped (pending dispatches and asks reject), its
   * links are removed, and every local process linked to it gets `exited`. A handler that
   * is running finishes, but nothing else runs after it.
   */
  terminate(record: ProcessRecord): void {
    if (record.terminated) return;
    record.terminated = true;
    this.table.remove(record);
    const reason = new ProcessTerminatedError(record.id);
    this.runLoop.dropQueue(record, reason);
    this.counters.retire(record);
    this.asks.rejectAll(record, reason);
    if (this.node !== undefined && record.pid !== undefined) {
      for (const to of this.node.linksOf(record.pid)) {
        this.node.unlink(record.pid, to);
      }
    }
    for (const linker of detachLocalLinks(record)) {
      this.notifyExited(linker, record.pid!);
    }
  }

  /**
   * Terminates the process once everything queued before this call ran (libprocess'
   * `terminate(pid, inject = false)`): the termination is itself a queued entry.
   */
  terminateAfterQueue(record: ProcessRecord): Promise<void> {
    if (record.terminated) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.runLoop.enqueue(record, EntryKind.DISPATCH, {
        method: () => this.terminate(record),
        label: 'terminate',
        resolve: () => resolve(),
        // Terminated meanwhile (by another call, or the node stopped): it is gone either way.
        reject: () => resolve(),
      });
    });
  }

  // ---- shutdown ------------------------------------------------------------------------

  /** Resolves true once every queue is empty and no handler runs, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.runLoop.drain(timeoutMs);
  }

  /**
   * Drops every queued entry (pending dispatches reject), so that only the handlers already
   * running finish, and logs one line with the count per process. Part of a shutdown whose
   * drain ran out of time; `stop()` does it too for whatever is left.
   */
  dropQueued(drainTimeoutMs: number): void {
    let dropped = 0;
    const perProcess: string[] = [];
    for (const record of this.table.values()) {
      const count = this.runLoop.dropQueue(
        record,
        new ProcessTerminatedError(record.id),
      );
      if (count > 0) {
        dropped += count;
        perProcess.push(`${record.pid ?? record.id}: ${count}`);
      }
    }
    if (dropped > 0) {
      this.logger.warn(
        DROPPED_ON_SHUTDOWN(dropped, drainTimeoutMs, perProcess),
      );
    }
  }

  /** Cancels timers and asks, drops what is still queued (logged), detaches from the wire. */
  stop(drainTimeoutMs = 0): void {
    this.cancelTimers();
    this.dropQueued(drainTimeoutMs);
    for (const record of this.table.values()) {
      if (record.state === ProcessState.WAITING) {
        this.logger.warn(
          HANDLER_RUNNING_AT_SHUTDOWN(record.pid ?? record.id, drainTimeoutMs),
        );
      }
      this.asks.rejectAll(record, new ProcessTerminatedError(record.id));
    }
    this.runLoop.stop();
    if (this.node !== undefined) {
      this.node.off('linked', this.onWireLinked);
      this.node.off('exited', this.onWireExited);
      this.node.off('error', this.onWireError);
      this.node = undefined;
    }
    this.table.setLocalAddress(undefined);
  }

  /**
   * The node's metrics (`GET /metrics/snapshot` serves them flattened): message counters per
   * process and in total, queue depths, connections and link exits.
   */
  metrics(): RuntimeMetrics {
    return this.counters.collect(this.table.values(), this.node);
  }

  /** The `GET /__processes__` listing. */
  snapshot(): Record<string, unknown>[] {
    const list: Record<string, unknown>[] = [];
    for (const record of this.table.values()) {
      list.push({
        id: record.id,
        pid: record.pid?.toString() ?? null,
        mailboxes: record.definition.mailboxList.map((m) => m.name),
        routes: [...record.definition.routes.keys()],
        queueDepth: record.queueDepth,
        state: STATE_NAMES[record.state],
        links: this.linksOf(record).map(String),
      });
    }
    return list;
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * The local process sending as `from`, for its `messages_sent`. A burst comes from one
   * sender passing its own pid object: the last one is kept, so that counting costs an
   * identity check rather than a table lookup per message.
   */
  private senderOf(from: Upid): ProcessRecord | undefined {
    const last = this.lastSender;
    if (last !== undefined && last.pid === from && !last.terminated) {
      return last;
    }
    const sender = this.table.get(from.id);
    if (sender === undefined || sender.pid === undefined) return undefined;
    if (sender.pid === from) return (this.lastSender = sender);
    return sender.pid.equals(from) ? sender : undefined;
  }

  /** A message to no process `to`: the delegate gets it as `<to>/<name>`, if there is one. */
  private deliverToDelegate(
    from: Upid,
    to: string,
    name: string,
    body: Buffer,
  ): boolean {
    if (this.delegate === undefined) return false;
    const delegate = this.table.get(this.delegate);
    if (delegate === undefined) return false;
    this.deliver(delegate, from, `${to}/${name}`, body);
    return true;
  }

  private initialize(record: ProcessRecord): void {
    if (record.definition.onInitialize.length === 0) return;
    // initialize() runs before anything queued before the process became routable.
    this.runLoop.enqueueFirst(record, EntryKind.INITIALIZE, record.pid);
  }

  private notifyLinked(record: ProcessRecord, to: Upid): void {
    this.events.emit('linked', record.pid, to);
    if (record.definition.onLinked.length > 0) {
      this.runLoop.enqueue(record, EntryKind.LINKED, to);
    }
  }

  private notifyExited(record: ProcessRecord, to: Upid): void {
    this.counters.linkExits++;
    this.events.emit('exited', record.pid, to);
    if (record.definition.onExited.length > 0) {
      this.runLoop.enqueue(record, EntryKind.EXITED, to);
    }
  }

  private readonly onWireLinked = (from: Upid, to: Upid): void => {
    const record = this.table.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyLinked(record, to);
    } else {
      this.events.emit('linked', from, to);
    }
  };

  private readonly onWireExited = (from: Upid, to: Upid): void => {
    const record = this.table.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyExited(record, to);
    } else {
      this.counters.linkExits++;
      this.events.emit('exited', from, to);
    }
  };

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
