import { EventEmitter } from 'node:events';

import { Injectable, Logger } from '@nestjs/common';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';

import { PROCESSES_ROUTE } from '../actor.constants.js';
import {
  ALREADY_A_PROCESS,
  DROPPED_ON_SHUTDOWN,
  HANDLER_FAILED,
  NO_SUCH_METHOD,
  UNDECODABLE_PROTOBUF,
  UNKNOWN_MAILBOX,
} from '../actor.messages.js';
import { LibprocessContext } from '../ctx-host/libprocess.context.js';
import { AskTimeoutError } from '../errors/ask-timeout.error.js';
import { DuplicateProcessError } from '../errors/duplicate-process.error.js';
import { LibprocessError } from '../errors/libprocess.error.js';
import { NotListeningError } from '../errors/not-listening.error.js';
import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import { RouteResponse } from '../helpers/route-response.js';
import type {
  AskReply,
  DelayHandle,
} from '../interfaces/actor-ref-options.interface.js';
import { Upid } from '../wire/upid.js';
import type { WireNode } from '../wire/wire-node.js';
import type { WireRequest, WireResponse } from '../wire/wire.interfaces.js';
import { DelayTimer } from './delay-timer.js';
import {
  EMPTY_DEFINITION,
  type MailboxDefinition,
  type MailboxInvoker,
  type ProcessDefinition,
} from './process-definition.js';
import { CompletionObserver } from './completion-observer.js';
import { MailboxQueue } from './mailbox-queue.js';
import {
  type AskWaiter,
  EntryKind,
  ProcessRecord,
  ProcessState,
  type Task,
} from './process-record.js';

/**
 * Queue entries run per event-loop turn (across all processes) before the run loop yields
 * to I/O, so that processes messaging each other locally cannot starve the sockets.
 */
const TURN_BUDGET = 4096;
const EMPTY_BODY = Buffer.alloc(0);
const PROCESS_RECORD = Symbol('libprocess:process');
const STATE_NAMES = ['idle', 'runnable', 'running', 'waiting'] as const;

/** Binds a mailbox handler of one process (the explorer goes through Nest's context). */
export type InvokerFactory = (
  record: ProcessRecord,
  mailbox: MailboxDefinition,
) => MailboxInvoker;

/** Wraps one handler call, e.g. to run Nest's processing (tracing) hooks around it. */
export type ProcessingWrapper = (
  context: LibprocessContext,
  invoke: () => unknown,
) => unknown;

/** Returns the process record of an instance, if it is a process of this node. */
export function recordOf(instance: object): ProcessRecord | undefined {
  return (instance as { [PROCESS_RECORD]?: ProcessRecord })[PROCESS_RECORD];
}

function toBuffer(body: Buffer | Uint8Array | string | undefined): Buffer {
  if (body === undefined) return EMPTY_BODY;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** What a handler returned that its process has to wait for (promise or stream), if any. */
type Pending = PromiseLike<unknown> | Observable<unknown>;

function isPromiseLike(value: Pending): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown>).then === 'function';
}

/** The promise or stream a handler's result completes with, or undefined when it is done. */
function pendingOf(result: unknown): Pending | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  if (isPromiseLike(result as Pending) || isObservable(result)) {
    return result as Pending;
  }
  return undefined;
}

function toWireResponse(value: unknown): WireResponse {
  if (value instanceof RouteResponse) {
    return { status: value.status, headers: value.headers, body: value.body };
  }
  if (value === undefined) return { status: 200 };
  if (typeof value === 'string') {
    return {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: value,
    };
  }
  if (Buffer.isBuffer(value)) {
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: value,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  };
}

/**
 * The actor runtime of a node (libprocess' ProcessManager): the registry of processes, one
 * serial queue per process, local delivery, links, `dispatch`, `ask` and routes. The
 * `LibprocessServer` feeds it from the wire; `ActorRef` is its public face.
 */
@Injectable()
export class ProcessManager {
  /** The process whose handler runs synchronously right now (the default sender). */
  current: ProcessRecord | null = null;
  /** 'linked' / 'exited' (local and remote links) and 'error', re-emitted by the server. */
  readonly events = new EventEmitter();
  private readonly logger = new Logger(ProcessManager.name);
  private readonly processes = new Map<string, ProcessRecord>();
  private readonly idCounters = new Map<string, number>();
  private readonly timers = new Set<DelayTimer>();
  private node: WireNode | undefined;
  private localAddress = '';
  private started = false;
  private runnable: ProcessRecord[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private budget = TURN_BUDGET;
  /** Processes that are not idle; the drain on shutdown waits for zero. */
  private busy = 0;
  private idleWaiter: (() => void) | null = null;
  private invokerFactory: InvokerFactory | null = null;
  private processingWrapper: ProcessingWrapper | null = null;

  get isStarted(): boolean {
    return this.started;
  }

  get wireNode(): WireNode | undefined {
    return this.node;
  }

  setInvokerFactory(factory: InvokerFactory): void {
    this.invokerFactory = factory;
  }

  setProcessingWrapper(wrapper: ProcessingWrapper | null): void {
    this.processingWrapper = wrapper;
  }

  /**
   * Adds a process. Before `start()` it waits for its pid; afterwards it is routable at once.
   * @throws DuplicateProcessError when the id is taken
   */
  register(
    id: string,
    instance: object | null,
    definition: ProcessDefinition,
    ephemeral = false,
  ): ProcessRecord {
    if (this.processes.has(id)) throw new DuplicateProcessError(id);
    // Validates the id the way every pid of it will be validated.
    new Upid(id, '127.0.0.1', 0);
    const record = new ProcessRecord(id, instance, definition, ephemeral);
    if (instance !== null) {
      const existing = recordOf(instance);
      if (existing !== undefined && !existing.terminated) {
        throw new LibprocessError(
          ALREADY_A_PROCESS(String(existing.pid ?? existing.id)),
        );
      }
      Object.defineProperty(instance, PROCESS_RECORD, {
        value: record,
        configurable: true,
        writable: true,
      });
    }
    this.processes.set(id, record);
    if (this.started) {
      record.pid = this.node!.pid(id);
      this.initialize(record);
    }
    return record;
  }

  /** A free id `base(N)`, N counting up per base as libprocess' `ID::generate`. */
  generateId(base: string): string {
    let n = this.idCounters.get(base) ?? 0;
    let id: string;
    do {
      id = `${base}(${++n})`;
    } while (this.processes.has(id));
    this.idCounters.set(base, n);
    return id;
  }

  get(id: string): ProcessRecord | undefined {
    return this.processes.get(id);
  }

  /** The local process of a pid, when it is one of this node. */
  lookup(pid: Upid): ProcessRecord | undefined {
    return pid.address === this.localAddress
      ? this.processes.get(pid.id)
      : undefined;
  }

  isLocal(pid: Upid): boolean {
    return pid.address === this.localAddress;
  }

  records(): IterableIterator<ProcessRecord> {
    return this.processes.values();
  }

  /** Makes every process routable on `node` and starts running their queues. */
  start(node: WireNode): void {
    this.node = node;
    this.localAddress = node.pid('x').address;
    this.started = true;
    node.on('linked', this.onWireLinked);
    node.on('exited', this.onWireExited);
    node.on('error', this.onWireError);
    for (const record of this.processes.values()) {
      record.pid = node.pid(record.id);
      this.initialize(record);
      if (record.queueDepth > 0 && record.state === ProcessState.IDLE) {
        this.makeRunnable(record);
      }
    }
  }

  // ---- inbound -------------------------------------------------------------------------

  /** A message from the wire; false when no such process exists (answered 404). */
  readonly deliverRemote = (
    from: Upid,
    to: string,
    name: string,
    body: Buffer,
  ): boolean => {
    const record = this.processes.get(to);
    if (record === undefined) return false;
    this.deliver(record, from, name, body);
    return true;
  };

  /** Routes (`@Route`) and `GET /__processes__`. */
  readonly handleHttp = (
    request: WireRequest,
  ): WireResponse | undefined | Promise<WireResponse | undefined> => {
    const query = request.path.indexOf('?');
    const path = query < 0 ? request.path : request.path.slice(0, query);
    if (path === PROCESSES_ROUTE && request.method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.snapshot()),
      };
    }
    const slash = path.indexOf('/', 1);
    if (slash < 0) return undefined;
    let id = path.slice(1, slash);
    try {
      id = decodeURIComponent(id);
    } catch {
      return undefined;
    }
    const record = this.processes.get(id);
    const route = record?.definition.routes.get(path.slice(slash + 1));
    if (record === undefined || route === undefined) return undefined;
    if (!route.methods.includes(request.method)) {
      return { status: 405, headers: { allow: route.methods.join(', ') } };
    }
    return new Promise<WireResponse>((resolve) => {
      const task: Task = {
        method: route.methodKey,
        args: [request],
        label: `route "${route.path}"`,
        resolve: (value) => resolve(toWireResponse(value)),
        reject: (error) => {
          this.logFailure(record, error, task.label!, undefined);
          resolve({ status: 500, body: 'Internal Server Error' });
        },
      };
      this.enqueue(record, EntryKind.DISPATCH, task, undefined, undefined);
    });
  };

  // ---- outbound ------------------------------------------------------------------------

  /** Sends `name` to `to`: enqueued directly for a local process, else over the wire. */
  send(
    from: Upid,
    to: Upid,
    name: string,
    body: Buffer | Uint8Array | string | undefined,
  ): void {
    if (to.address === this.localAddress) {
      const target = this.processes.get(to.id);
      if (target === undefined) {
        if (Logger.isLevelEnabled('debug')) {
          this.logger.debug(
            `Dropped "${name}" from "${from}": no process "${to}" on this node`,
          );
        }
        return;
      }
      this.deliver(target, from, name, toBuffer(body));
      return;
    }
    if (this.node === undefined) throw new NotListeningError('send messages');
    this.node.send(from, to, name, body);
  }

  /** Queues the message, unless it is the reply a pending `ask()` of the process waits for. */
  deliver(record: ProcessRecord, from: Upid, name: string, body: Buffer): void {
    if (
      record.askWaiters !== null &&
      this.answerAsk(record, from, name, body)
    ) {
      return;
    }
    this.enqueue(record, EntryKind.MESSAGE, from, name, body);
  }

  link(record: ProcessRecord, to: Upid): void {
    if (to.address === this.localAddress) {
      const target = this.processes.get(to.id);
      if (target === record) return;
      if (target === undefined || target.terminated) {
        // As libprocess: linking to a process that does not exist reports its exit at once.
        this.notifyExited(record, to);
        return;
      }
      if (record.linkTargets?.has(target)) return;
      (record.linkTargets ??= new Set()).add(target);
      (target.linkers ??= new Set()).add(record);
      this.notifyLinked(record, to);
      return;
    }
    if (this.node === undefined) throw new NotListeningError('link');
    this.node.link(record.pid!, to);
  }

  unlink(record: ProcessRecord, to: Upid): void {
    if (to.address === this.localAddress) {
      const target = this.processes.get(to.id);
      if (target !== undefined && record.linkTargets?.delete(target)) {
        target.linkers?.delete(record);
      }
      return;
    }
    this.node?.unlink(record.pid!, to);
  }

  /** The pids a process linked to (local and remote). */
  linksOf(record: ProcessRecord): Upid[] {
    const links: Upid[] = [];
    if (record.linkTargets !== null) {
      for (const target of record.linkTargets) links.push(target.pid!);
    }
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
      const task: Task = { method, args, resolve, reject };
      this.enqueue(record, EntryKind.DISPATCH, task, undefined, undefined);
    });
  }

  /** Calls `callback` after `ms` unless cancelled; every pending timer is cancelled by `stop()`. */
  addTimer(ms: number, callback: () => void): DelayHandle {
    return new DelayTimer(ms, callback, this.timers);
  }

  cancelTimers(): void {
    for (const timer of [...this.timers]) timer.cancel();
  }

  /**
   * Sends `name` and resolves with the next message named `reply` from `to` to the asking
   * process (matched by id and port, so host aliases of the peer do not matter).
   */
  ask(
    from: ProcessRecord | null,
    to: Upid,
    name: string,
    body: Buffer | Uint8Array | string | undefined,
    reply: string,
    timeoutMs: number,
  ): Promise<AskReply> {
    if (!this.started) {
      return Promise.reject(new NotListeningError('ask()'));
    }
    const asker =
      from ??
      this.register(this.generateId('ask'), null, EMPTY_DEFINITION, true);
    return new Promise<AskReply>((resolve, reject) => {
      const waiter: AskWaiter = {
        to,
        reply,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.removeWaiter(asker, waiter);
          if (asker.ephemeral) this.terminate(asker);
          reject(new AskTimeoutError(String(to), name, reply, timeoutMs));
        }, timeoutMs),
      };
      (asker.askWaiters ??= []).push(waiter);
      try {
        this.send(asker.pid!, to, name, body);
      } catch (error) {
        clearTimeout(waiter.timer);
        this.removeWaiter(asker, waiter);
        if (asker.ephemeral) this.terminate(asker);
        reject(error);
      }
    });
  }

  /**
   * Removes a process: queued work is dropped (pending dispatches reject), its own links are
   * removed, and every local process linked to it gets `exited`. A handler that is running
   * finishes, but nothing else runs after it.
   */
  terminate(record: ProcessRecord): void {
    if (record.terminated) return;
    record.terminated = true;
    if (this.processes.get(record.id) === record) {
      this.processes.delete(record.id);
    }
    if (record.instance !== null && recordOf(record.instance) === record) {
      delete (record.instance as { [PROCESS_RECORD]?: ProcessRecord })[
        PROCESS_RECORD
      ];
    }
    this.dropQueue(record, new ProcessTerminatedError(record.id));
    if (record.askWaiters !== null) {
      for (const waiter of record.askWaiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new ProcessTerminatedError(record.id));
      }
      record.askWaiters = null;
    }
    if (record.linkTargets !== null) {
      for (const target of record.linkTargets) target.linkers?.delete(record);
      record.linkTargets = null;
    }
    if (this.node !== undefined && record.pid !== undefined) {
      for (const to of this.node.linksOf(record.pid)) {
        this.node.unlink(record.pid, to);
      }
    }
    if (record.linkers !== null) {
      const linkers = record.linkers;
      record.linkers = null;
      for (const linker of linkers) {
        linker.linkTargets?.delete(record);
        this.notifyExited(linker, record.pid!);
      }
    }
  }

  // ---- shutdown ------------------------------------------------------------------------

  /** Resolves true once every queue is empty and no handler runs, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.busy === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiter = null;
        resolve(false);
      }, timeoutMs);
      this.idleWaiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** Cancels timers and asks, drops what is still queued (logged), detaches from the wire. */
  stop(drainTimeoutMs = 0): void {
    this.cancelTimers();
    let dropped = 0;
    for (const record of this.processes.values()) {
      dropped += record.queueDepth;
      this.dropQueue(record, new ProcessTerminatedError(record.id));
      if (record.askWaiters !== null) {
        for (const waiter of record.askWaiters) {
          clearTimeout(waiter.timer);
          waiter.reject(new ProcessTerminatedError(record.id));
        }
        record.askWaiters = null;
      }
    }
    for (const record of this.runnable) {
      if (record.state === ProcessState.RUNNABLE) this.settle(record);
    }
    this.runnable = [];
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (dropped > 0) {
      this.logger.warn(DROPPED_ON_SHUTDOWN(dropped, drainTimeoutMs));
    }
    if (this.node !== undefined) {
      this.node.off('linked', this.onWireLinked);
      this.node.off('exited', this.onWireExited);
      this.node.off('error', this.onWireError);
    }
    this.started = false;
  }

  /** The `GET /__processes__` listing. */
  snapshot(): Record<string, unknown>[] {
    const list: Record<string, unknown>[] = [];
    for (const record of this.processes.values()) {
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

  // ---- scheduling ----------------------------------------------------------------------

  private enqueue(
    record: ProcessRecord,
    kind: EntryKind,
    a: unknown,
    b: unknown,
    c: unknown,
  ): void {
    if (record.terminated) {
      if (kind === EntryKind.DISPATCH) {
        (a as Task).reject(new ProcessTerminatedError(record.id));
      }
      return;
    }
    (record.queue ??= new MailboxQueue()).push(kind, a, b, c);
    if (record.state === ProcessState.IDLE && this.started) {
      this.makeRunnable(record);
    }
  }

  private initialize(record: ProcessRecord): void {
    if (record.definition.onInitialize.length === 0) return;
    // initialize() runs before anything queued before the process became routable.
    (record.queue ??= new MailboxQueue()).unshift(
      EntryKind.INITIALIZE,
      record.pid,
      undefined,
      undefined,
    );
    if (record.state === ProcessState.IDLE) this.makeRunnable(record);
  }

  private makeRunnable(record: ProcessRecord): void {
    record.state = ProcessState.RUNNABLE;
    this.busy++;
    this.runnable.push(record);
    if (this.immediate === null) this.immediate = setImmediate(this.runLoop);
  }

  /** Puts a busy process back into the run queue (its turn budget is spent). */
  private requeue(record: ProcessRecord): void {
    record.state = ProcessState.RUNNABLE;
    this.runnable.push(record);
    if (this.immediate === null) this.immediate = setImmediate(this.runLoop);
  }

  private readonly runLoop = (): void => {
    this.immediate = null;
    this.budget = TURN_BUDGET;
    const list = this.runnable;
    let i = 0;
    while (i < list.length && this.budget > 0) {
      this.runQueue(list[i++]);
    }
    if (list === this.runnable) {
      if (i === list.length) list.length = 0;
      else list.splice(0, i);
      if (list.length > 0 && this.immediate === null) {
        this.immediate = setImmediate(this.runLoop);
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
      const pending = this.run(record, kind, queue.a, queue.b, queue.c);
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
    // A cold stream runs the handler's deferred work now: as the process, as its call did.
    const previous = this.current;
    this.current = record;
    let ended: boolean;
    try {
      ended = observer.subscribe(pending);
    } finally {
      this.current = previous;
    }
    if (!ended) return true;
    record.state = ProcessState.RUNNING;
    const outcome = observer.value;
    observer.value = undefined;
    if (observer.failed) this.handlerFailed(record, outcome);
    else this.handlerDone(record, outcome);
    return false;
  }

  private resumed(record: ProcessRecord, value: unknown): void {
    this.handlerDone(record, value);
    this.resumeQueue(record);
  }

  private failed(record: ProcessRecord, error: unknown): void {
    this.handlerFailed(record, error);
    this.resumeQueue(record);
  }

  /** The handler that was waited for is done: resolves its caller (dispatch, route). */
  private handlerDone(record: ProcessRecord, value: unknown): void {
    const task = record.activeTask;
    if (task !== null) {
      record.activeTask = null;
      task.resolve(value);
    }
  }

  /** The handler that was waited for failed: rejects its caller, or logs the failure. */
  private handlerFailed(record: ProcessRecord, error: unknown): void {
    const task = record.activeTask;
    if (task !== null) {
      record.activeTask = null;
      task.reject(error);
    } else {
      this.logFailure(record, error, record.activeWhat, record.activeFrom);
    }
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
      this.busy--;
      if (this.busy === 0 && this.idleWaiter !== null) {
        const waiter = this.idleWaiter;
        this.idleWaiter = null;
        waiter();
      }
    }
    // Messages queued while it was terminating (none) or after its last turn.
    if (!record.terminated && record.queueDepth > 0 && this.started) {
      this.makeRunnable(record);
    }
  }

  private dropQueue(record: ProcessRecord, reason: Error): void {
    const queue = record.queue;
    if (queue === null) return;
    while (queue.length > 0) {
      if (queue.shift() === (EntryKind.DISPATCH as number)) {
        (queue.a as Task).reject(reason);
      }
    }
    queue.dispose();
  }

  // ---- running one entry -----------------------------------------------------------------

  private run(
    record: ProcessRecord,
    kind: EntryKind,
    a: unknown,
    b: unknown,
    c: unknown,
  ): Pending | undefined {
    switch (kind) {
      case EntryKind.MESSAGE:
        return this.runMessage(record, a as Upid, b as string, c as Buffer);
      case EntryKind.DISPATCH:
        return this.runTask(record, a as Task);
      case EntryKind.EXITED:
        return this.runHooks(
          record,
          record.definition.onExited,
          a,
          '@OnExited',
        );
      case EntryKind.LINKED:
        return this.runHooks(
          record,
          record.definition.onLinked,
          a,
          '@OnLinked',
        );
      case EntryKind.INITIALIZE:
        return this.runHooks(
          record,
          record.definition.onInitialize,
          a,
          '@OnInitialize',
        );
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
      if (Logger.isLevelEnabled('debug')) {
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
    const invoker =
      mailbox.invoker ??
      record.invokers?.[mailbox.index] ??
      this.bind(record, mailbox);
    const wrapper = this.processingWrapper;
    // Processing hooks always get the context; a handler without `@Ctx()` does not need it.
    const context =
      mailbox.contextFree === true && wrapper === null
        ? undefined
        : new LibprocessContext([from, record.pid!, name, body]);
    record.activeWhat = name;
    record.activeFrom = from;
    const previous = this.current;
    this.current = record;
    let result: unknown;
    try {
      result =
        wrapper === null
          ? invoker(payload, context, record.instance)
          : wrapper(context!, () => invoker(payload, context, record.instance));
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
          NO_SUCH_METHOD(String(record.pid), String(task.method)),
        ),
      );
      return undefined;
    }
    record.activeWhat = task.label ?? `dispatch of "${method.name}"`;
    record.activeFrom = undefined;
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
    record.activeTask = task;
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
    record.activeWhat = what;
    record.activeFrom = undefined;
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
    if (pending.length === 1) return pending[0];
    return Promise.all(
      pending.map((next) =>
        isPromiseLike(next)
          ? next
          : lastValueFrom(next, { defaultValue: undefined }),
      ),
    );
  }

  private bind(
    record: ProcessRecord,
    mailbox: MailboxDefinition,
  ): MailboxInvoker {
    if (this.invokerFactory === null) {
      throw new LibprocessError(
        'ActorModule is not initialized (no explorer).',
      );
    }
    const invoker = this.invokerFactory(record, mailbox);
    // A shared invoker was stored on the definition; only per-instance ones are kept here.
    if (mailbox.invoker !== invoker) {
      (record.invokers ??= [])[mailbox.index] = invoker;
    }
    return invoker;
  }

  private logFailure(
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

  // ---- links and asks --------------------------------------------------------------------

  private notifyLinked(record: ProcessRecord, to: Upid): void {
    this.events.emit('linked', record.pid, to);
    if (record.definition.onLinked.length > 0) {
      this.enqueue(record, EntryKind.LINKED, to, undefined, undefined);
    }
  }

  private notifyExited(record: ProcessRecord, to: Upid): void {
    this.events.emit('exited', record.pid, to);
    if (record.definition.onExited.length > 0) {
      this.enqueue(record, EntryKind.EXITED, to, undefined, undefined);
    }
  }

  private readonly onWireLinked = (from: Upid, to: Upid): void => {
    const record = this.processes.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyLinked(record, to);
    } else {
      this.events.emit('linked', from, to);
    }
  };

  private readonly onWireExited = (from: Upid, to: Upid): void => {
    const record = this.processes.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyExited(record, to);
    } else {
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

  private answerAsk(
    record: ProcessRecord,
    from: Upid,
    name: string,
    body: Buffer,
  ): boolean {
    const waiters = record.askWaiters!;
    for (let i = 0; i < waiters.length; i++) {
      const waiter = waiters[i];
      if (
        waiter.reply === name &&
        waiter.to.id === from.id &&
        waiter.to.port === from.port
      ) {
        clearTimeout(waiter.timer);
        this.removeWaiter(record, waiter);
        if (record.ephemeral) this.terminate(record);
        waiter.resolve({ body, from });
        return true;
      }
    }
    return false;
  }

  private removeWaiter(record: ProcessRecord, waiter: AskWaiter): void {
    const waiters = record.askWaiters;
    if (waiters === null) return;
    const index = waiters.indexOf(waiter);
    if (index >= 0) waiters.splice(index, 1);
    if (waiters.length === 0) record.askWaiters = null;
  }
}
