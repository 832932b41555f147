import { RequestParseError } from './errors/request-parse.error.js';
import { GrowingBuffer } from './growing-buffer.js';
import { HeadCache } from './head-cache.js';
import {
  CHUNKED_BODY,
  isBlank,
  parseHttpHead,
  type HttpHead,
} from './http-head.js';
import {
  classifyRequest,
  RequestKind,
  type RequestClass,
} from './libprocess-message.js';
import { Upid } from './upid.js';
import type { WireLimits, WireRequest } from './wire.interfaces.js';
import { EMPTY_BODY } from './wire.utils.js';

const CR = 0x0d;
const LF = 0x0a;
const SEMICOLON = 0x3b;
const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
// Largest chunk-size we accept in hex digits (13 hex digits exceed Number.MAX_SAFE_INTEGER).
const MAX_CHUNK_SIZE_DIGITS = 12;
// A chunk-size line of a libprocess message is a few hex digits: look for its CR in JS first.
const SHORT_LINE_BYTES = 18;
// First allocation for a Content-Length body that arrives in pieces; it then doubles with
// the data, so an announced length alone never allocates memory.
const INITIAL_BODY_BYTES = 16 * 1024;

/**
 * Where an {@link HttpRequestDecoder} hands what it decodes, in stream order.
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

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  Stopped,
}

/**
 * Streaming HTTP/1.x request decoder for one inbound connection, fed raw socket reads.
 *
 * A byte scanner over Buffers: a head that repeats one of the connection's recent heads is
 * recognised by one byte comparison ({@link HeadCache}), any other head is located with
 * `indexOf(CRLFCRLF)` and decoded once ({@link parseHttpHead}, {@link classifyRequest}).
 * A body that arrives within one read is a zero-copy slice of it; otherwise bytes are gathered
 * into one {@link GrowingBuffer} that grows with what arrived (never with what was announced),
 * and so are heads and chunk lines that span reads. Memory is thus proportional to the bytes
 * of the incomplete request, whatever the segmentation. `execute` never throws.
 *
 * @publicApi
 */
export class HttpRequestDecoder {
  private state = State.Head;
  /** A head, chunk line or chunk end that spans reads, gathered until its terminator. */
  private readonly pending = new GrowingBuffer();
  /** The body of the current request while it arrives in pieces. */
  private readonly body = new GrowingBuffer();
  /** The single chunk of a chunked body, as a slice of the read it arrived in. */
  private bodySlice: Buffer | null = null;
  private head: HttpHead | null = null;
  private requestClass: RequestClass | null = null;
  private chunkedBytes = 0;
  private chunkRemaining = 0;
  private trailerBytes = 0;
  private readonly heads = new HeadCache();
  /** Bytes read but not decoded yet because the consumer asked to {@link suspend}. */
  private backlog: Buffer | null = null;
  private suspended = false;
  /** When the bytes gathered in `pending` started arriving (ms, `Date.now()`); 0 when none. */
  private pendingSinceMs = 0;
  /**
   * When the current request's body started to span reads (ms, `Date.now()`); 0 while no
   * body is incomplete. Set at the end of a read, so a body within one read costs no clock.
   */
  private bodySinceMs = 0;
  private readonly deliversMessages: boolean;
  // Senders repeat on a connection: reuse the last parsed PID.
  private lastSenderText = '';
  private lastSender: Upid | undefined;
  private readonly parseSender = (text: string): Upid | undefined => {
    if (text !== this.lastSenderText) {
      this.lastSenderText = text;
      this.lastSender = parseUpid(text);
    }
    return this.lastSender;
  };

  constructor(
    private readonly limits: Pick<
      WireLimits,
      'maxHeaderBytes' | 'maxHeaderCount' | 'maxBodyBytes'
    >,
    private readonly sink: HttpRequestSink,
  ) {
    this.deliversMessages = sink.onMessage !== undefined;
  }

  /** True once a violation was reported or {@link stop} was called. */
  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /** Bytes of incomplete requests and undecoded reads this decoder holds. */
  get bufferedBytes(): number {
    return (
      this.pending.capacity +
      this.body.capacity +
      (this.bodySlice === null ? 0 : this.bodySlice.length) +
      (this.backlog === null ? 0 : this.backlog.length)
    );
  }

  /**
   * Since when (ms since the epoch) a request head, chunk line or trailer has been waiting for
   * the rest of its bytes; 0 when nothing is pending. A peer that stalls there is the
   * slowloris pattern (legitimate senders finish a head within one round trip).
   */
  get pendingSince(): number {
    return this.pending.length > 0 ? this.pendingSinceMs : 0;
  }

  /**
   * Since when (ms since the epoch) the body of the current request has been arriving, its
   * head complete; 0 when no body is incomplete. A peer that stalls there holds the bytes it
   * sent (up to `maxBodyBytes`) for as long as it stays connected.
   */
  get bodyPendingSince(): number {
    return this.bodySinceMs;
  }

  /**
   * Restarts the clocks of {@link pendingSince} and {@link bodyPendingSince} (the node had
   * stopped reading: that time is the node's, not the peer's).
   */
  restartPendingClock(now: number): void {
    if (this.pending.length > 0) this.pendingSinceMs = now;
    if (this.bodySinceMs !== 0) this.bodySinceMs = now;
  }

  /**
   * Stops decoding after the current request: the rest of the current read and later reads
   * are kept (as received, no copy of the current read) until {@link resume}. Backpressure
   * at request granularity for a consumer whose output is not being read.
   */
  suspend(): void {
    this.suspended = true;
  }

  /** Decodes what was kept while suspended, then continues with new reads. */
  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    const backlog = this.backlog;
    if (backlog !== null) {
      this.backlog = null;
      this.execute(backlog);
    }
  }

  /** True while {@link suspend}ed. */
  get isSuspended(): boolean {
    return this.suspended;
  }

  /** Ignores every further byte (e.g. after `Connection: close`) and releases what it holds. */
  stop(): void {
    this.state = State.Stopped;
    this.pending.clear();
    this.body.clear();
    this.bodySlice = null;
    this.head = null;
    this.requestClass = null;
    this.backlog = null;
    this.bodySinceMs = 0;
  }

  /** Feeds one read of the connection's byte stream. Never throws. */
  execute(chunk: Buffer): void {
    if (this.state === State.Stopped || chunk.length === 0) return;
    if (this.suspended) {
      this.hold(chunk);
      return;
    }
    try {
      this.decode(chunk);
    } catch (error) {
      // Defensive: a bug here must cost only this connection, never the process.
      this.fail(400, `Malformed request (${(error as Error).message})`);
    }
    // A body still incomplete after this read: its clock starts now (complete() resets it).
    const state = this.state as State; // changed by decode()
    if (
      this.bodySinceMs === 0 &&
      state !== State.Head &&
      state !== State.Stopped
    ) {
      this.bodySinceMs = Date.now();
    }
  }

  private decode(chunk: Buffer): void {
    if (this.pending.length > 0) {
      const cut = this.pendingEnd(chunk);
      if (cut < 0) {
        this.keep(chunk, 0);
        return;
      }
      // Complete only the straddling line or head, never copy the rest of the read.
      if (!this.gather(chunk, 0, cut)) return;
      this.run(this.pending.take());
      if (cut === chunk.length) return;
      if (this.suspended) {
        this.hold(chunk.subarray(cut));
        return;
      }
      chunk = chunk.subarray(cut);
    }
    this.run(chunk);
  }

  /**
   * Where in `chunk` the line or head pending from earlier reads ends (the offset just past
   * its terminator), or -1 when `chunk` does not complete it.
   */
  private pendingEnd(chunk: Buffer): number {
    const pending = this.pending;
    if (this.state === State.ChunkEnd) {
      return Math.min(chunk.length, 2 - pending.length);
    }
    const needle = this.state === State.Head ? CRLFCRLF : CRLF;
    // The terminator may straddle the boundary: try the starts inside the pending bytes.
    const total = pending.length + chunk.length;
    for (
      let start = Math.max(0, pending.length - needle.length + 1);
      start < pending.length && start + needle.length <= total;
      start++
    ) {
      let i = 0;
      while (i < needle.length) {
        const at = start + i;
        const byte =
          at < pending.length ? pending.at(at) : chunk[at - pending.length];
        if (byte !== needle[i]) break;
        i++;
      }
      if (i === needle.length) return start + needle.length - pending.length;
    }
    const inside = chunk.indexOf(needle);
    return inside < 0 ? -1 : inside + needle.length;
  }

  /** Keeps undecoded bytes while suspended. */
  private hold(data: Buffer): void {
    this.backlog =
      this.backlog === null ? data : Buffer.concat([this.backlog, data]);
  }

  /** Keeps `data[pos, end)` of an unfinished head or line; false after a limit failure. */
  private gather(data: Buffer, pos: number, end: number): boolean {
    if (this.pending.length + (end - pos) > this.limits.maxHeaderBytes + 4) {
      this.fail(
        431,
        this.state === State.Head
          ? 'Request header too large'
          : 'Chunk line or trailer too large',
      );
      return false;
    }
    if (this.pending.length === 0) this.pendingSinceMs = Date.now();
    this.pending.append(data, pos, end);
    return true;
  }

  private keep(data: Buffer, pos: number): void {
    if (pos < data.length) this.gather(data, pos, data.length);
  }

  private run(data: Buffer): void {
    const length = data.length;
    let pos = 0;
    while (pos < length) {
      if (this.suspended) {
        this.hold(data.subarray(pos));
        return;
      }
      switch (this.state) {
        case State.Head: {
          // Tolerate stray CRLFs between requests (RFC 9112 section 2.2).
          while (pos < length && (data[pos] === CR || data[pos] === LF)) pos++;
          if (pos === length) return;
          const cached = this.heads.match(data, pos);
          let head: HttpHead;
          if (cached !== undefined) {
            head = cached.head;
            this.requestClass = cached.requestClass;
            pos += cached.bytes.length + 4;
          } else {
            const end = data.indexOf(CRLFCRLF, pos);
            if (end < 0) {
              this.keep(data, pos);
              return;
            }
            if (end - pos > this.limits.maxHeaderBytes) {
              this.fail(431, 'Request header too large');
              return;
            }
            const parsed = parseHttpHead(
              data.toString('latin1', pos, end),
              this.limits,
              this.parseSender,
            );
            if (parsed instanceof RequestParseError) {
              this.failWith(parsed);
              return;
            }
            head = parsed;
            this.requestClass = classifyRequest(head);
            this.heads.remember(data, pos, end, head, this.requestClass);
            pos = end + 4;
          }
          this.head = head;
          const bodyLength = head.bodyLength;
          if (head.expectContinue && bodyLength !== 0) {
            this.sink.onExpectContinue?.();
          }
          if (bodyLength === CHUNKED_BODY) {
            this.state = State.ChunkSize;
            this.chunkedBytes = 0;
          } else if (bodyLength === 0) {
            this.complete(EMPTY_BODY);
          } else if (length - pos >= bodyLength) {
            pos += bodyLength;
            this.complete(data.subarray(pos - bodyLength, pos));
          } else {
            this.state = State.Body;
            this.appendBody(data, pos, length, bodyLength);
            return;
          }
          break;
        }
        case State.Body: {
          const bodyLength = this.head!.bodyLength;
          const end = Math.min(length, pos + bodyLength - this.body.length);
          this.appendBody(data, pos, end, bodyLength);
          pos = end;
          if (this.body.length === bodyLength) this.complete(this.body.take());
          break;
        }
        case State.ChunkSize: {
          const eol = lineEnd(data, pos);
          if (eol < 0) {
            this.keep(data, pos);
            return;
          }
          const size = this.parseChunkSize(data, pos, eol);
          if (size === undefined) return; // failed
          pos = eol + 2;
          if (size === 0) {
            this.state = State.Trailer;
            this.trailerBytes = 0;
          } else {
            this.chunkRemaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const end = Math.min(length, pos + this.chunkRemaining);
          this.appendChunk(data, pos, end);
          this.chunkRemaining -= end - pos;
          pos = end;
          if (this.chunkRemaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd: {
          if (length - pos < 2) {
            this.keep(data, pos);
            return;
          }
          if (data[pos] !== CR || data[pos + 1] !== LF) {
            this.fail(400, 'Chunk data not followed by CRLF');
            return;
          }
          pos += 2;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailer: {
          // The empty trailer of every libprocess message needs no search.
          const eol =
            data[pos] === CR && data[pos + 1] === LF
              ? pos
              : data.indexOf(CRLF, pos);
          if (eol < 0) {
            this.keep(data, pos);
            return;
          }
          if (eol === pos) {
            pos += 2;
            this.complete(this.takeChunkedBody());
            break;
          }
          // Trailer fields are accepted and ignored; they only count against the head limit.
          this.trailerBytes += eol - pos + 2;
          if (this.trailerBytes > this.limits.maxHeaderBytes) {
            this.fail(431, 'Chunked trailer too large');
            return;
          }
          pos = eol + 2;
          break;
        }
        case State.Stopped:
          return;
      }
    }
  }

  private appendBody(
    data: Buffer,
    start: number,
    end: number,
    bodyLength: number,
  ): void {
    const body = this.body;
    const capacity =
      body.capacity === 0
        ? Math.min(bodyLength, Math.max(INITIAL_BODY_BYTES, end - start))
        : bodyLength;
    body.append(data, start, end, capacity);
  }

  /**
   * Gathers chunk data. The usual libprocess body is one chunk within one read: it stays a
   * slice of that read; anything else is copied into the growing body.
   */
  private appendChunk(data: Buffer, start: number, end: number): void {
    if (
      this.body.length === 0 &&
      this.bodySlice === null &&
      end - start === this.chunkRemaining
    ) {
      this.bodySlice = data.subarray(start, end);
      return;
    }
    if (this.bodySlice !== null) {
      this.body.append(this.bodySlice, 0, this.bodySlice.length);
      this.bodySlice = null;
    }
    this.body.append(data, start, end);
  }

  private takeChunkedBody(): Buffer {
    const slice = this.bodySlice;
    if (slice !== null) {
      this.bodySlice = null;
      return slice;
    }
    return this.body.length === 0 ? EMPTY_BODY : this.body.take();
  }

  /** Parses a chunk-size line `[pos, eol)`: its size, or undefined after a failure. */
  private parseChunkSize(
    data: Buffer,
    pos: number,
    eol: number,
  ): number | undefined {
    let size = 0;
    let digits = 0;
    let i = pos;
    for (; i < eol; i++) {
      const c = data[i];
      let digit: number;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
      else break;
      if (++digits > MAX_CHUNK_SIZE_DIGITS) {
        this.fail(413, 'Chunk too large');
        return undefined;
      }
      size = size * 16 + digit;
    }
    // After the digits only whitespace and `;extensions` may follow.
    if (
      digits === 0 ||
      (i < eol && data[i] !== SEMICOLON && !isBlank(data[i]))
    ) {
      this.fail(400, 'Malformed chunk size');
      return undefined;
    }
    if (eol - pos > this.limits.maxHeaderBytes) {
      this.fail(431, 'Chunk extensions too large');
      return undefined;
    }
    this.chunkedBytes += size;
    if (this.chunkedBytes > this.limits.maxBodyBytes) {
      this.fail(413, 'Request body too large');
      return undefined;
    }
    return size;
  }

  private complete(body: Buffer): void {
    const head = this.head!;
    const requestClass = this.requestClass!;
    this.head = null;
    this.requestClass = null;
    this.state = State.Head;
    this.bodySinceMs = 0;
    if (requestClass.kind === RequestKind.Message && this.deliversMessages) {
      // The hot path of a stream of messages: no request object.
      this.sink.onMessage!(
        head.from!,
        requestClass.to,
        requestClass.name,
        body,
      );
      return;
    }
    this.sink.onRequest(
      {
        method: head.method,
        path: head.path,
        version: head.version,
        headers: head.headers,
        body,
        from: head.from,
      },
      requestClass.kind,
    );
  }

  private fail(status: 400 | 413 | 431, reason: string): void {
    this.failWith(new RequestParseError(reason, status));
  }

  private failWith(error: RequestParseError): void {
    if (this.state === State.Stopped) return;
    this.stop();
    this.sink.onError(error);
  }
}

/**
 * The offset of the CRLF ending the line at `pos`, or -1. Short lines (chunk sizes) are
 * scanned in JS, which is cheaper than the native `indexOf` call for a few bytes.
 */
function lineEnd(data: Buffer, pos: number): number {
  const limit = Math.min(data.length - 1, pos + SHORT_LINE_BYTES);
  for (let i = pos; i < limit; i++) {
    if (data[i] === CR) {
      if (data[i + 1] === LF) return i;
      break;
    }
  }
  return data.indexOf(CRLF, pos);
}

/** An unparsable sender makes the request a non-message; the node answers it. */
function parseUpid(text: string): Upid | undefined {
  try {
    return Upid.parse(text);
  } catch {
    return undefined;
  }
}
