import type { Socket } from 'node:net';

import { WireError } from './errors/wire.error.js';
import type { RequestParseError } from './errors/request-parse.error.js';
import { messageTarget, RequestParser } from './request-parser.js';
import type { Upid } from './upid.js';
import {
  LIBPROCESS_USER_AGENT_PREFIX,
  RESPONSE_202,
  RESPONSE_404,
  STATUS_REASONS,
} from './wire.constants.js';
import type {
  WireLimits,
  WireNodeHandlers,
  WireRequest,
  WireResponse,
} from './wire.interfaces.js';

const ACCEPTED = Buffer.from(RESPONSE_202, 'latin1');
// 202s in a row, sliced per flush: a stream of messages costs no per-message response bytes.
const ACCEPTED_RUN_MAX = 512;
const ACCEPTED_RUN = Buffer.from(
  RESPONSE_202.repeat(ACCEPTED_RUN_MAX),
  'latin1',
);
const NOT_FOUND = Buffer.from(RESPONSE_404, 'latin1');
const NOT_FOUND_CLOSE = errorResponse(404);
const BAD_SENDER = Buffer.from(
  'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n',
  'latin1',
);
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const SERVER_ERROR = Buffer.from(
  'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n',
  'latin1',
);
// Header values must not be able to inject lines into the response.
const UNSAFE_HEADER_TEXT = /[\r\n]/;
// Pending message responses are written at once from this size on, instead of at the end of
// the event-loop iteration.
const MAX_DEFERRED_RESPONSE_BYTES = 16 * 1024;

/** A response waiting for an asynchronous HTTP handler, or queued behind one. */
interface ResponseSlot {
  bytes: Buffer | null;
  end: boolean;
}

/** The node-side context an inbound connection works with. */
export interface InboundContext {
  readonly handlers: WireNodeHandlers;
  readonly limits: WireLimits;
  reportError(error: Error): void;
  onInboundClose(connection: InboundConnection): void;
}

/**
 * One accepted connection: parses requests, hands messages and HTTP requests to the handlers,
 * and writes the responses in request order.
 *
 * The 202/404 answers to messages are coalesced: they leave in one write per connection at the
 * end of the current event-loop iteration (`setImmediate`), or at once when 16 KiB are pending,
 * instead of one write per read; a sender that streams messages costs a fraction of the
 * syscalls. Not a timer: C++ libprocess sockets use Nagle's algorithm, and the response
 * carries the ACK that releases the sender's next small write, so any delay beyond this
 * iteration would stall C++ senders by that delay. HTTP responses and parse errors are written
 * at the end of the read that produced them (they are answers somebody waits for).
 *
 * Inbound sockets are never closed for idleness: a libprocess peer keeps its sending socket
 * open for the lifetime of its process. Peers that write and close at once (C++ `send()` over
 * a temporary socket) are read eagerly; every message that fully arrived is delivered.
 *
 * @internal
 */
export class InboundConnection {
  /** Resolves when the socket is closed. */
  readonly whenClosed: Promise<void>;
  private readonly parser: RequestParser;
  private out: Buffer[] = [];
  private outBytes = 0;
  /** 202s queued after the last entry of `out`, not yet materialised. */
  private acceptedRun = 0;
  private endAfterFlush = false;
  /** Whether `out` holds a response that must not wait for the coalesced flush. */
  private urgent = false;
  private scheduledFlush: NodeJS.Immediate | null = null;
  private readonly slots: ResponseSlot[] = [];
  private handlingRead = false;
  private closed = false;

  constructor(
    readonly socket: Socket,
    private readonly context: InboundContext,
  ) {
    this.parser = new RequestParser(
      context.limits,
      (request) => this.handleRequest(request),
      (error) => this.handleParseError(error),
      // Urgent: the client sends the body only once it has the interim response.
      () => this.respond(CONTINUE, false),
      (from, to, name, body) => this.deliver(from, to, name, body),
    );
    let resolveClosed!: () => void;
    this.whenClosed = new Promise((resolve) => (resolveClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.handlingRead = true;
      this.parser.execute(chunk);
      this.handlingRead = false;
      if (this.urgent || this.outBytes >= MAX_DEFERRED_RESPONSE_BYTES) {
        this.flush();
      } else if (this.outBytes > 0 && this.scheduledFlush === null) {
        this.scheduledFlush = setImmediate(flushInbound, this);
      }
    });
    // Resets from peers that close right after writing are routine (see quirk 1 of the peers
    // README); the socket is closed by Node right after.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.cancelScheduledFlush();
      this.parser.stop();
      this.context.onInboundClose(this);
      resolveClosed();
    });
  }

  /** Graceful close: write what is ready, then FIN (used by `WireNode.close()`). */
  end(): void {
    this.parser.stop();
    this.flush();
    if (!this.closed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Any request but a deliverable message (those go straight to {@link deliver}). */
  private handleRequest(request: WireRequest): void {
    if (request.method === 'POST') {
      if (request.from !== undefined) {
        // A message the parser did not deliver names a process id that cannot be decoded.
        if (messageTarget(request) !== undefined) {
          this.respond(NOT_FOUND, false, false);
          return;
        }
      } else if (
        request.headers['libprocess-from'] !== undefined ||
        request.headers['user-agent']?.startsWith(LIBPROCESS_USER_AGENT_PREFIX)
      ) {
        // A message whose sender cannot be parsed cannot be answered or attributed.
        this.context.reportError(
          new WireError(
            `Dropped a message to ${request.path}: unparsable sender ` +
              JSON.stringify(
                request.headers['libprocess-from'] ??
                  request.headers['user-agent'],
              ),
            'EBADSENDER',
            this.remoteAddress(),
          ),
        );
        this.respond(BAD_SENDER, false, false);
        return;
      }
    }
    this.serveHttp(request);
  }

  private deliver(from: Upid, to: string, name: string, body: Buffer): void {
    let delivered: boolean;
    try {
      delivered = this.context.handlers.onMessage(from, to, name, body);
    } catch (error) {
      this.context.reportError(
        new WireError(
          `Message handler failed for ${name} to ${to}: ${(error as Error)?.message}`,
          'EHANDLER',
          undefined,
          { cause: error },
        ),
      );
      this.respond(SERVER_ERROR, false, false);
      return;
    }
    this.respond(delivered ? ACCEPTED : NOT_FOUND, false, false);
  }

  private serveHttp(request: WireRequest): void {
    const connection = request.headers['connection']?.toLowerCase();
    // HTTP/1.0 closes unless asked to keep alive; HTTP/1.1 keeps alive unless asked to close.
    const close =
      request.version === '1.0'
        ? connection !== 'keep-alive'
        : connection === 'close';
    if (close) this.parser.stop();
    const keepAlive = request.version === '1.0' && !close;
    const hook = this.context.handlers.onHttpRequest;
    if (hook === undefined) {
      this.respond(close ? NOT_FOUND_CLOSE : NOT_FOUND, close);
      return;
    }
    const head = request.method === 'HEAD';
    let result: ReturnType<NonNullable<WireNodeHandlers['onHttpRequest']>>;
    try {
      result = hook(request);
    } catch (error) {
      this.respond(this.failedHttp(request, error), close);
      return;
    }
    if (!isPromiseLike(result)) {
      this.respond(
        this.encodeHttp(request, result, keepAlive, close, head),
        close,
      );
      return;
    }
    const slot: ResponseSlot = { bytes: null, end: close };
    this.slots.push(slot);
    result.then(
      (response) => {
        slot.bytes = this.encodeHttp(request, response, keepAlive, close, head);
        this.drainSlots();
      },
      (error: unknown) => {
        slot.bytes = this.failedHttp(request, error);
        this.drainSlots();
      },
    );
  }

  private encodeHttp(
    request: WireRequest,
    response: WireResponse | undefined,
    keepAlive: boolean,
    close: boolean,
    head: boolean,
  ): Buffer {
    if (response === undefined || response === null) {
      return close ? NOT_FOUND_CLOSE : NOT_FOUND;
    }
    try {
      return encodeResponse(response, keepAlive, close, head);
    } catch (error) {
      return this.failedHttp(request, error);
    }
  }

  private failedHttp(request: WireRequest, error: unknown): Buffer {
    this.context.reportError(
      new WireError(
        `HTTP handler failed for ${request.method} ${request.path}: ${(error as Error)?.message}`,
        'EHANDLER',
        undefined,
        { cause: error },
      ),
    );
    return SERVER_ERROR;
  }

  private handleParseError(error: RequestParseError): void {
    this.context.reportError(
      new WireError(
        `Closing inbound connection from ${this.remoteAddress()}: ${error.message}`,
        error.code,
        this.remoteAddress(),
        { cause: error },
      ),
    );
    this.respond(errorResponse(error.status), true);
  }

  /**
   * Queues `bytes` behind any response still being produced. Message responses pass
   * `urgent = false` and may wait for the coalesced flush.
   */
  private respond(bytes: Buffer, end: boolean, urgent = true): void {
    if (this.slots.length > 0) {
      this.slots.push({ bytes, end });
      return;
    }
    this.outBytes += bytes.length;
    if (bytes === ACCEPTED) {
      this.acceptedRun++;
      return;
    }
    this.closeAcceptedRun();
    this.out.push(bytes);
    if (urgent) this.urgent = true;
    if (end) this.endAfterFlush = true;
  }

  private drainSlots(): void {
    const slots = this.slots;
    while (slots.length > 0 && slots[0].bytes !== null) {
      const slot = slots.shift()!;
      this.closeAcceptedRun();
      this.out.push(slot.bytes!);
      this.outBytes += slot.bytes!.length;
      if (slot.end) this.endAfterFlush = true;
      this.urgent = true;
    }
    if (!this.handlingRead) this.flush();
  }

  /** Writes every queued response now (also the coalesced ones). */
  flush(): void {
    this.cancelScheduledFlush();
    this.urgent = false;
    if (this.outBytes > 0) {
      this.closeAcceptedRun();
      const out = this.out;
      const bytes =
        out.length === 1 ? out[0] : Buffer.concat(out, this.outBytes);
      this.out = [];
      this.outBytes = 0;
      if (!this.closed && this.socket.writable) this.socket.write(bytes);
    }
    if (this.endAfterFlush && !this.closed) {
      this.endAfterFlush = false;
      this.socket.end();
    }
  }

  private closeAcceptedRun(): void {
    while (this.acceptedRun > 0) {
      const count = Math.min(this.acceptedRun, ACCEPTED_RUN_MAX);
      this.out.push(ACCEPTED_RUN.subarray(0, count * ACCEPTED.length));
      this.acceptedRun -= count;
    }
  }

  private cancelScheduledFlush(): void {
    if (this.scheduledFlush !== null) {
      clearImmediate(this.scheduledFlush);
      this.scheduledFlush = null;
    }
  }

  private remoteAddress(): string {
    const { remoteAddress, remotePort } = this.socket;
    if (remoteAddress === undefined) return 'unknown';
    return remoteAddress.includes(':')
      ? `[${remoteAddress}]:${remotePort}`
      : `${remoteAddress}:${remotePort}`;
  }
}

function flushInbound(connection: InboundConnection): void {
  connection.flush();
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}

function errorResponse(status: number): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_REASONS[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    'latin1',
  );
}

/**
 * Serialises a handler's response. Content-Length is always computed here; `Connection` is
 * added for HTTP/1.0 keep-alive requests and for connections about to close.
 *
 * @throws Error for a status outside 100-999 or a header that would break the framing.
 */
export function encodeResponse(
  response: WireResponse,
  keepAlive: boolean,
  close: boolean,
  omitBody = false,
): Buffer {
  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new Error(`Invalid HTTP status ${String(status)}`);
  }
  const body =
    response.body === undefined
      ? Buffer.alloc(0)
      : typeof response.body === 'string'
        ? Buffer.from(response.body, 'utf8')
        : response.body;
  let head = `HTTP/1.1 ${status} ${STATUS_REASONS[status] ?? 'Unknown'}\r\n`;
  if (response.headers !== undefined) {
    for (const [name, value] of Object.entries(response.headers)) {
      const lower = name.toLowerCase();
      if (lower === 'content-length' || lower === 'connection') continue;
      const text = String(value);
      if (
        UNSAFE_HEADER_TEXT.test(name) ||
        UNSAFE_HEADER_TEXT.test(text) ||
        !name
      ) {
        throw new Error(`Invalid response header ${JSON.stringify(name)}`);
      }
      head += `${name}: ${text}\r\n`;
    }
  }
  head += `Content-Length: ${body.length}\r\n`;
  if (close) head += 'Connection: close\r\n';
  else if (keepAlive) head += 'Connection: Keep-Alive\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  return omitBody || body.length === 0
    ? headBytes
    : Buffer.concat([headBytes, body], headBytes.length + body.length);
}
