import { NotListeningError } from '../errors/not-listening.error.js';
import type { MessageHold } from '../wire/message-hold.js';
import type { Upid } from '../wire/upid.js';
import { EMPTY_BODY } from '../wire/wire.utils.js';
import type { AskRegistry } from './ask-registry.js';
import { EntryKind, type ProcessRecord } from './process-record.js';
import type { ProcessTable } from './process-table.js';
import type { RunLoop } from './run-loop.js';
import type { RuntimeCounters } from './runtime-metrics.js';
import type { RuntimeLogger, RuntimeTransport } from './runtime.interfaces.js';
import { NO_LOCAL_PROCESS } from './runtime.messages.js';

/** A message body as senders give it (`undefined` is an empty body). */
export type MessageBytes = Buffer | Uint8Array | string | undefined;

function toBuffer(body: MessageBytes): Buffer {
  if (body === undefined) return EMPTY_BODY;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * Where a message goes (libprocess' `ProcessManager::deliver` and `transport`): onto the
 * queue of a local process without touching a socket, to the pending `ask()` it answers, to
 * the delegate when no process has the id, or out over the wire. Every message passes here,
 * in and out: keep it free of anything a message does not need.
 */
export class MessageRouter {
  /** The listening wire, from the runtime's `start()` to its `stop()`. */
  node: RuntimeTransport | undefined = undefined;

  constructor(
    private readonly table: ProcessTable,
    private readonly runLoop: RunLoop,
    private readonly asks: AskRegistry,
    private readonly logger: RuntimeLogger,
    /** Id of the process that gets what is addressed to no process (see `delegate`). */
    private readonly delegate: string | undefined,
    /** Messages to no process (the per-process counts are on the records). */
    private readonly counters: RuntimeCounters,
  ) {}

  /** The process that sent last (see `senderOf`). */
  private lastSender: ProcessRecord | undefined = undefined;

  /** A message from the wire; false when no process (nor delegate) takes it (answered 404). */
  readonly deliverRemote = (
    from: Upid,
    to: string,
    name: string,
    body: Buffer,
    hold?: MessageHold,
  ): boolean => {
    const record = this.table.get(to);
    if (record !== undefined) {
      this.deliver(record, from, name, body, hold);
      return true;
    }
    if (this.deliverToDelegate(from, to, name, body, hold)) return true;
    this.counters.droppedNoProcess++;
    return false;
  };

  /** Sends `name` to `to`: enqueued directly for a local process, else over the wire. */
  send(from: Upid, to: Upid, name: string, body: MessageBytes): void {
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

  /**
   * Queues the message, unless it is the reply a pending `ask()` of the process waits for;
   * `hold` comes with a message from the wire (see `RunLoop.enqueue`).
   */
  deliver(
    record: ProcessRecord,
    from: Upid,
    name: string,
    body: Buffer,
    hold?: MessageHold,
  ): void {
    record.messagesReceived++;
    if (
      record.askWaiters !== null &&
      this.asks.answer(record, from, name, body)
    ) {
      return;
    }
    this.runLoop.enqueue(record, EntryKind.MESSAGE, from, name, body, hold);
  }

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
    hold?: MessageHold,
  ): boolean {
    if (this.delegate === undefined) return false;
    const delegate = this.table.get(this.delegate);
    if (delegate === undefined) return false;
    this.deliver(delegate, from, `${to}/${name}`, body, hold);
    return true;
  }
}
