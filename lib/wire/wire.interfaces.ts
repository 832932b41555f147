import type { RequestParseError } from './errors/request-parse.error.js';
import type { RequestKind } from './libprocess-message.js';
import type { MessageHold } from './message-hold.js';
import type { TlsOptions } from './tls/tls-options.interface.js';
import type { Upid } from './upid.js';

/**
 * Limits that protect a {@link WireNode} from misbehaving peers.
 *
 * @publicApi
 */
export interface WireLimits {
  /** Bytes of a request line + headers (and of chunked trailers); over it -> 431. */
  maxHeaderBytes: number;
  /** Number of header lines of one request; over it -> 431. */
  maxHeaderCount: number;
  /** Bytes of one request body; over it -> 413. */
  maxBodyBytes: number;
  /** Bytes queued for one peer that is not reading; further sends fail with an 'error' event. */
  maxQueuedBytesPerPeer: number;
  /**
   * Bytes of incomplete requests plus unsent responses over all inbound connections; past
   * it the connections holding the most stop being read until the total drains.
   */
  maxInboundBytes: number;
  /** Unsent response bytes of one inbound connection; past it that connection is not read until its client reads. */
  maxUnsentResponseBytes: number;
  /**
   * Bytes the messages of one inbound connection keep alive while they wait in process queues
   * (the read buffers their bodies are views of, plus 64 bytes per message), and its HTTP
   * requests while their responses are produced (body and head); past it that connection is
   * not read until they drain to half of it. A fast sender to a slow handler is thus slowed to
   * the handler's pace by TCP, as a client that does not read its responses is. A handler that
   * waits for an `ask()` reply from the very peer that filled its queue waits until the ask
   * times out.
   */
  maxQueuedInboundBytes: number;
  /**
   * Milliseconds a connection may take to complete a request head (or chunk line) it has
   * started; then it is answered 408 and closed. Idle connections are never closed.
   */
  headerTimeoutMs: number;
  /**
   * Milliseconds a connection may take to send a request body once its head is complete (the
   * time the node itself does not read it is not counted); then the request is answered 408,
   * the connection closed and the bytes it held released. Without it a body that stalls holds
   * them (up to `maxBodyBytes`) until the client disconnects. Default 300 s, Node's
   * `server.requestTimeout`: even the largest body allowed by default (100 MiB) fits at
   * 350 KB/s, while a stalled one is released within minutes. Bodies within one read never
   * start the clock.
   */
  bodyTimeoutMs: number;
  /** Open inbound connections; further connections are refused (closed at once). */
  maxConnections: number;
}

/**
 * A parsed inbound HTTP request.
 *
 * @publicApi
 */
export interface WireRequest {
  method: string;
  /** The request target as sent (it may carry a query string). */
  path: string;
  version: '1.0' | '1.1';
  /** Header names lower-cased; repeated headers joined with ', '. Read-only (may be shared). */
  readonly headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** The libprocess sender: `Libprocess-From`, else `User-Agent: libprocess/<pid>`. */
  from?: Upid;
}

/**
 * A libprocess message received from the wire.
 *
 * @publicApi
 */
export interface WireMessage {
  from: Upid;
  /** Id of the addressed process. */
  to: string;
  name: string;
  body: Buffer;
}

/**
 * The answer to a non-message HTTP request.
 *
 * @publicApi
 */
export interface WireResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Options of a {@link WireNode}. Unset fields fall back to `LIBPROCESS_IP`, `LIBPROCESS_PORT`,
 * `LIBPROCESS_ADVERTISE_IP`, `LIBPROCESS_ADVERTISE_PORT`, then to the defaults.
 *
 * @publicApi
 */
export interface WireNodeOptions {
  ip?: string;
  port?: number;
  advertiseIp?: string;
  advertisePort?: number;
  limits?: Partial<WireLimits>;
  /**
   * Milliseconds `close()` may take (default 2000): to answer the requests already read, to
   * flush queued messages and have them answered by their peers, and to close the sockets.
   */
  shutdownGracePeriod?: number;
  /**
   * Interval (ms) over which repeated 'error' events of one kind (code and peer) are
   * coalesced: the first is emitted at once, the rest as one summary at the interval's end
   * (`WireError.count`). Default 5000; 0 emits every error.
   */
  errorIntervalMs?: number;
  /**
   * Milliseconds an outbound connection may take to be established (default 10 s); then its
   * links fire 'exited' and its queued messages are dropped with an 'error' (`ETIMEDOUT`).
   */
  connectTimeout?: number;
  /**
   * TLS for every connection, accepted and opened (C++ libprocess built with SSL). Unset fields
   * fall back to the `LIBPROCESS_SSL_*` variables (legacy `SSL_*`), then to libprocess'
   * defaults; TLS is off unless `enabled` (or `LIBPROCESS_SSL_ENABLED=true`).
   */
  ssl?: TlsOptions;
}

/**
 * What a {@link WireNode} calls for inbound traffic.
 *
 * @publicApi
 */
export interface WireNodeHandlers {
  /**
   * A libprocess message (a POST with a sender): `to` is the process id, `body` the raw
   * payload. Return false when no process `to` exists (answered 404), true otherwise
   * (answered 202).
   *
   * Positional arguments, no message object: this runs once per inbound message, and a
   * repeated request head hands over its cached sender `Upid` without any allocation.
   *
   * `body` is a view of the connection's read buffer. A handler that keeps the message past
   * its return (queues it) calls `hold.retain()`, and `hold.release()` once it is done with
   * it: what retained messages keep alive counts against `limits.maxQueuedInboundBytes` and
   * `limits.maxInboundBytes`.
   */
  onMessage(
    from: Upid,
    to: string,
    name: string,
    body: Buffer,
    hold: MessageHold,
  ): boolean;
  /**
   * Any other request (GET, POST without sender). Resolve a response, or undefined for 404.
   * Responses are written in request order on a connection even if resolved out of order.
   */
  onHttpRequest?(
    request: WireRequest,
  ): WireResponse | undefined | Promise<WireResponse | undefined>;
}

/**
 * Where an `HttpRequestDecoder` hands what it decodes, in stream order.
 *
 * @publicApi
 */
export interface HttpRequestSink {
  /**
   * A libprocess message (a POST with a sender to `/<process id>/<name>`), without a request
   * object. Without this member, messages reach {@link onRequest} too.
   */
  onMessage?(from: Upid, to: string, name: string, body: Buffer): void;
  /** Any other request, with what it is to the node. */
  onRequest(request: WireRequest, kind: RequestKind): void;
  /** The first framing or limit violation; the decoder has stopped for good. */
  onError(error: RequestParseError): void;
  /**
   * An accepted HTTP/1.1 head announces a body and carries `Expect: 100-continue`: the client
   * waits for an interim `100 Continue` before sending the body.
   */
  onExpectContinue?(): void;
}
