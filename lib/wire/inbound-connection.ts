import type { Socket } from 'node:net';

import type { RequestParseError } from './errors/request-parse.error.js';
import { WireError } from './errors/wire.error.js';
import { HttpRequestDecoder } from './http-request-decoder.js';
import { closesAfter, respondToHttp } from './http-request-responder.js';
import {
  ACCEPTED,
  BAD_SENDER,
  CONTINUE,
  errorResponse,
  NOT_FOUND,
  SERVER_ERROR,
} from './http-response-encoder.js';
import type { BudgetHolder, InboundBudget } from './inbound-budget.js';
import { claimedSender, RequestKind } from './libprocess-message.js';
import { RetainedMessages } from './message-hold.js';
import { ResponsePipeline } from './response-pipeline.js';
import { opensLikeTls } from './tls/tls-sniff.js';
import type { Upid } from './upid.js';
import type {
  WireLimits,
  WireNodeHandlers,
  WireRequest,
} from './wire.interfaces.js';
import { formatHostPort, quotePeerInput } from './wire.utils.js';

/** The node-side context an inbound connection works with. */
export interface InboundContext {
  readonly handlers: WireNodeHandlers;
  readonly limits: WireLimits;
  readonly budget: InboundBudget;
  /** Reports a failure; `peer` (the remote host) groups a client's repeated failures. */
  reportError(error: Error, peer?: string): void;
  /** Reading of a connection stopped (true) or restarted (false). */
  onReadingChange(stopped: boolean): void;
  onInboundClose(connection: InboundConnection): void;
}

/** Why reading a connection is stopped (several may hold at once). */
const enum ReadStop {
  /** The node-wide inbound budget is exhausted and this connection holds much of it. */
  Budget = 1,
  /** Its client does not read its responses. */
  UnsentResponses = 2,
  /** The node is shutting down. */
  Shutdown = 4,
  /**
   * Its messages waiting in process queues and requests waiting for their responses keep too
   * much alive (`maxQueuedInboundBytes`).
   */
  QueuedMessages = 8,
}

const REQUEST_TIMEOUT = errorResponse(408);

/** True when a clock started at `since` has run past `timeoutMs` (0 or Infinity: never). */
function expired(since: number, now: number, timeoutMs: number): boolean {
  return timeoutMs > 0 && now - since >= timeoutMs;
}

/**
 * One accepted connection: feeds its reads to an {@link HttpRequestDecoder}, hands messages
 * and HTTP requests to the handlers, and answers through a {@link ResponsePipeline}.
 *
 * Inbound sockets are never closed for idleness: a libprocess peer keeps its sending socket
 * open for the lifetime of its process. Peers that write and close at once (C++ `send()` over
 * a temporary socket) are read eagerly; every message that fully arrived is delivered.
 *
 * @internal
 */
export class InboundConnection implements BudgetHolder {
  /** Resolves when the socket is closed. */
  readonly whenClosed: Promise<void>;
  private readonly decoder: HttpRequestDecoder;
  private readonly responses: ResponsePipeline;
  /** What its messages waiting in process queues and its pending HTTP requests keep alive. */
  private readonly queued = new RetainedMessages(() => this.onQueueReleased());
  /** {@link ReadStop} flags; the socket is read only while none is set. */
  private readStops = 0;
  private closed = false;
  private readonly peer: string;
  private firstRead = true;

  constructor(
    readonly socket: Socket,
    private readonly context: InboundContext,
  ) {
    this.peer = socket.remoteAddress ?? 'unknown';
    this.responses = new ResponsePipeline(socket, () => this.watchMemory());
    this.decoder = new HttpRequestDecoder(context.limits, this);
    let resolveClosed!: () => void;
    this.whenClosed = new Promise((resolve) => (resolveClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.firstRead) {
        this.firstRead = false;
        if (opensLikeTls(chunk)) {
          this.refuseTls();
          return;
        }
      }
      this.responses.beginRead();
      this.decoder.execute(chunk);
      this.responses.endRead();
      this.queued.endRead();
      this.watchMemory();
    });
    socket.on('drain', () => this.watchMemory());
    // Resets from peers that close right after writing are routine (see quirk 1 of the peers
    // README); the socket is closed by Node right after.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.readStops !== 0) this.context.onReadingChange(false);
      this.closed = true;
      this.responses.close();
      this.decoder.stop();
      this.context.budget.remove(this);
      this.context.onInboundClose(this);
      resolveClosed();
    });
  }

  /**
   * Stops reading for good (the node is shutting down): requests already read are still
   * delivered and answered, nothing more is read.
   */
  stopReading(): void {
    this.setReadStop(ReadStop.Shutdown, true);
  }

  /** Bytes its messages waiting in process queues and its pending HTTP requests keep alive. */
  get queuedBytes(): number {
    return this.queued.bytes;
  }

  /** True once every response produced so far was handed to the kernel. */
  get answered(): boolean {
    return this.responses.idle && this.socket.writableLength === 0;
  }

  /**
   * A TLS client on a plain connection (this node has TLS off, or took the connection for plain
   * on a downgrade listener): no HTTP request starts with a handshake record, and the client
   * would wait forever for a ServerHello. Closed at once, so it fails fast (C++ libprocess
   * likewise answers a ClientHello on a plain socket by closing it).
   */
  private refuseTls(): void {
    this.decoder.stop();
    this.context.reportError(
      new WireError(
        `Closing inbound connection from ${this.remoteAddress()}: it opened a TLS handshake, ` +
          'but TLS is not enabled on this node (LIBPROCESS_SSL_ENABLED)',
        'ETLSREFUSED',
        this.remoteAddress(),
      ),
      this.peer,
    );
    this.socket.destroy();
  }

  /** Graceful close: write what is ready, then FIN (used by `WireNode.close()`). */
  end(): void {
    this.decoder.stop();
    this.responses.flush();
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Part of the budget: stops or restarts reading. */
  setBudgetPaused(paused: boolean): void {
    this.setReadStop(ReadStop.Budget, paused);
  }

  /**
   * Closes the connection with 408 when, while being read, it has been sending one request
   * head (or chunk line) for longer than `headerTimeoutMs`, or one request body for longer
   * than `bodyTimeoutMs`. A disabled timeout (0 or Infinity) never fires.
   */
  checkStall(now: number): void {
    if (this.readStops !== 0) return;
    const { headerTimeoutMs, bodyTimeoutMs } = this.context.limits;
    const headSince = this.decoder.pendingSince;
    if (headSince !== 0 && expired(headSince, now, headerTimeoutMs)) {
      this.timeOut(
        'EHEADERTIMEOUT',
        `request head not completed within ${headerTimeoutMs} ms`,
      );
      return;
    }
    const bodySince = this.decoder.bodyPendingSince;
    if (bodySince !== 0 && expired(bodySince, now, bodyTimeoutMs)) {
      this.timeOut(
        'EBODYTIMEOUT',
        `request body not completed within ${bodyTimeoutMs} ms`,
      );
    }
  }

  /** Answers 408 and closes: what the request held is released at once. */
  private timeOut(code: string, reason: string): void {
    this.decoder.stop();
    this.context.reportError(
      new WireError(
        `Closing inbound connection from ${this.remoteAddress()}: ${reason}`,
        code,
        this.remoteAddress(),
      ),
      this.peer,
    );
    this.responses.respond(REQUEST_TIMEOUT, true);
    this.responses.flush();
  }

  /**
   * Keeps what this connection holds within its limits: decoding waits while its client does
   * not read its responses, reading while its queued messages keep too much alive, and the
   * node-wide budget learns what it holds.
   */
  private watchMemory(): void {
    if (this.closed) return;
    if (
      this.queued.bytes > this.context.limits.maxQueuedInboundBytes &&
      (this.readStops & ReadStop.QueuedMessages) === 0
    ) {
      this.setReadStop(ReadStop.QueuedMessages, true);
      // A peer slowed down by TCP looks like a stalled peer from the outside: say why.
      this.context.reportError(
        new WireError(
          `Stopped reading ${this.remoteAddress()} for now: its messages and requests waiting ` +
            `to be handled keep ${this.queued.bytes} bytes alive (limits.maxQueuedInboundBytes ` +
            `${this.context.limits.maxQueuedInboundBytes}); reading restarts as they are handled`,
          'EQUEUEDINBOUND',
          this.remoteAddress(),
        ),
        this.peer,
      );
    }
    const unsent = this.responses.unsentBytes;
    const stopped = (this.readStops & ReadStop.UnsentResponses) !== 0;
    if (unsent > this.context.limits.maxUnsentResponseBytes) {
      if (!stopped) {
        this.decoder.suspend();
        this.setReadStop(ReadStop.UnsentResponses, true);
      }
    } else if (stopped || this.decoder.isSuspended) {
      this.setReadStop(ReadStop.UnsentResponses, false);
      // Decodes what was read meanwhile, like a read; it may stop again at once.
      this.responses.beginRead();
      this.decoder.resume();
      this.responses.endRead();
      this.queued.endRead();
    }
    this.context.budget.update(this, this.heldBytes());
  }

  /**
   * A buffer its queued messages kept alive is free (called from the processes' run loop, once
   * per buffer), or a pending request was answered: reading restarts once what is still waiting
   * keeps at most half of `maxQueuedInboundBytes`.
   */
  private onQueueReleased(): void {
    if (this.closed) return;
    if (
      (this.readStops & ReadStop.QueuedMessages) !== 0 &&
      this.queued.bytes <= this.context.limits.maxQueuedInboundBytes / 2
    ) {
      this.setReadStop(ReadStop.QueuedMessages, false);
    }
    this.context.budget.update(this, this.heldBytes());
  }

  /** What the node-wide budget counts for this connection. */
  private heldBytes(): number {
    return (
      this.decoder.bufferedBytes +
      this.responses.unsentBytes +
      this.queued.bytes
    );
  }

  /** Stops decoding after this request when its responses exceed the per-connection limit. */
  private checkResponseLimit(): void {
    if (
      this.responses.queuedBytes > this.context.limits.maxUnsentResponseBytes
    ) {
      this.decoder.suspend();
    }
  }

  private setReadStop(stop: ReadStop, set: boolean): void {
    const before = this.readStops;
    this.readStops = set ? before | stop : before & ~stop;
    if (this.closed || (before === 0) === (this.readStops === 0)) return;
    this.context.onReadingChange(this.readStops !== 0);
    if (this.readStops !== 0) {
      this.socket.pause();
    } else {
      // The time spent not reading is ours, not the client's.
      this.decoder.restartPendingClock(Date.now());
      this.socket.resume();
    }
  }

  /** A libprocess message: delivered, answered 202 (404 when no such process). */
  onMessage(from: Upid, to: string, name: string, body: Buffer): void {
    let delivered: boolean;
    try {
      delivered = this.context.handlers.onMessage(
        from,
        to,
        name,
        body,
        this.queued.holdFor(body),
      );
    } catch (error) {
      this.context.reportError(
        new WireError(
          `Message handler failed for ${name} to ${to}: ${(error as Error)?.message}`,
          'EHANDLER',
          undefined,
          { cause: error },
        ),
      );
      this.responses.respond(SERVER_ERROR, false, false);
      return;
    }
    this.responses.respond(delivered ? ACCEPTED : NOT_FOUND, false, false);
    this.checkResponseLimit();
  }

  /** Any request but a deliverable message. */
  onRequest(request: WireRequest, kind: RequestKind): void {
    switch (kind) {
      case RequestKind.UndecodableTarget:
        this.responses.respond(NOT_FOUND, false, false);
        return;
      case RequestKind.UnparsableSender:
        // A message whose sender cannot be parsed cannot be answered or attributed.
        this.context.reportError(
          new WireError(
            `Dropped a message to ${quotePeerInput(request.path)} from ${this.remoteAddress()}: unparsable sender ` +
              quotePeerInput(claimedSender(request)),
            'EBADSENDER',
            this.remoteAddress(),
          ),
          this.peer,
        );
        this.responses.respond(BAD_SENDER, false, false);
        return;
      default: {
        const close = closesAfter(request);
        if (close) this.decoder.stop();
        respondToHttp(
          request,
          close,
          this.context.handlers.onHttpRequest,
          this.responses,
          (error) => this.context.reportError(error),
          this.queued,
        );
      }
    }
    this.checkResponseLimit();
  }

  onExpectContinue(): void {
    // Urgent: the client sends the body only once it has the interim response.
    this.responses.respond(CONTINUE, false);
  }

  onError(error: RequestParseError): void {
    this.context.reportError(
      new WireError(
        `Closing inbound connection from ${this.remoteAddress()}: ${error.message}`,
        error.code,
        this.remoteAddress(),
        { cause: error },
      ),
      this.peer,
    );
    this.responses.respond(errorResponse(error.status), true);
  }

  private remoteAddress(): string {
    const { remoteAddress, remotePort } = this.socket;
    return remoteAddress === undefined
      ? 'unknown'
      : formatHostPort(remoteAddress, remotePort ?? 0);
  }
}
