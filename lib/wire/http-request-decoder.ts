import { RequestParseError } from './errors/request-parse.error.js';
import { ChunkedBodyDecoder } from './chunked-body-decoder.js';
import { HeadCache } from './head-cache.js';
import { CHUNKED_BODY, parseHttpHead, type HttpHead } from './http-head.js';
import {
  cachingSenderParser,
  classifyRequest,
  RequestKind,
  type RequestClass,
} from './libprocess-message.js';
import { PendingLine } from './pending-line.js';
import { RequestBody } from './request-body.js';
import type { HttpRequestSink, WireLimits } from './wire.interfaces.js';
import { EMPTY_BODY } from './wire.utils.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

const enum State {
  /** Between requests, or inside a head. */
  Head,
  /** Inside a Content-Length body. */
  Body,
  /** Inside a chunked body ({@link ChunkedBodyDecoder}). */
  Chunked,
  /** After a violation or {@link HttpRequestDecoder.stop}. */
  Stopped,
}

/**
 * Streaming HTTP/1.x request decoder for one inbound connection, fed raw socket reads.
 *
 * A byte scanner over Buffers: a head that repeats one of the connection's recent heads is
 * recognised by one byte comparison ({@link HeadCache}), any other head is located with
 * `indexOf(CRLFCRLF)` and decoded once ({@link parseHttpHead}, {@link classifyRequest}).
 * Bodies are gathered by a {@link RequestBody} (zero-copy within one read, else one buffer
 * growing with what arrived), chunked ones framed by a {@link ChunkedBodyDecoder}; heads and
 * chunk lines that span reads are gathered by a {@link PendingLine}.
 * Memory is thus proportional to the bytes of the incomplete request, whatever the
 * segmentation. `execute` never throws.
 *
 * @publicApi
 */
export class HttpRequestDecoder {
  private state = State.Head;
  /** A head, chunk line or chunk end that spans reads, gathered until its terminator. */
  private readonly pending = new PendingLine();
  /** The body of the current request. */
  private readonly body = new RequestBody();
  private head: HttpHead | null = null;
  private requestClass: RequestClass | null = null;
  private readonly chunked: ChunkedBodyDecoder;
  private readonly heads = new HeadCache();
  /** Bytes read but not decoded yet because the consumer asked to {@link suspend}. */
  private backlog: Buffer | null = null;
  private suspended = false;
  /**
   * When the current request's body started to span reads (ms, `Date.now()`); 0 while no
   * body is incomplete. Set at the end of a read, so a body within one read costs no clock.
   */
  private bodySinceMs = 0;
  private readonly deliversMessages: boolean;
  private readonly parseSender = cachingSenderParser();

  constructor(
    private readonly limits: Pick<
      WireLimits,
      'maxHeaderBytes' | 'maxHeaderCount' | 'maxBodyBytes'
    >,
    private readonly sink: HttpRequestSink,
  ) {
    this.deliversMessages = sink.onMessage !== undefined;
    this.chunked = new ChunkedBodyDecoder(limits, this.body);
  }

  /** True once a violation was reported or {@link stop} was called. */
  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /** Bytes of incomplete requests and undecoded reads this decoder holds. */
  get bufferedBytes(): number {
    return (
      this.pending.capacity +
      this.body.bufferedBytes +
      (this.backlog === null ? 0 : this.backlog.length)
    );
  }

  /**
   * Since when (ms since the epoch) a request head, chunk line or trailer has been waiting for
   * the rest of its bytes; 0 when nothing is pending. A peer that stalls there is the
   * slowloris pattern (legitimate senders finish a head within one round trip).
   */
  get pendingSince(): number {
    return this.pending.since;
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
    this.pending.restartClock(now);
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
    if (this.state === State.Chunked && this.chunked.awaitsDataEnd) {
      return Math.min(chunk.length, 2 - this.pending.length);
    }
    return this.pending.endIn(
      chunk,
      this.state === State.Head ? CRLFCRLF : CRLF,
    );
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
    this.pending.append(data, pos, end);
    return true;
  }

  private keep(data: Buffer, pos: number): void {
    if (pos < data.length) this.gather(data, pos, data.length);
  }

  private run(data: Buffer): void {
    const length = data.length;
    let pos = 0;
    // For the head cache, made on the first head of this read.
    let view: DataView | null = null;
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
          view ??= new DataView(data.buffer, data.byteOffset, length);
          const cached = this.heads.match(data, view, pos);
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
            this.state = State.Chunked;
            this.chunked.start();
          } else if (bodyLength === 0) {
            this.complete(EMPTY_BODY);
          } else if (length - pos >= bodyLength) {
            pos += bodyLength;
            this.complete(data.subarray(pos - bodyLength, pos));
          } else {
            this.state = State.Body;
            this.body.appendSized(data, pos, length, bodyLength);
            return;
          }
          break;
        }
        case State.Body: {
          const bodyLength = this.head!.bodyLength;
          const end = Math.min(length, pos + bodyLength - this.body.length);
          this.body.appendSized(data, pos, end, bodyLength);
          pos = end;
          if (this.body.length === bodyLength) this.complete(this.body.take());
          break;
        }
        case State.Chunked: {
          const chunked = this.chunked;
          pos = chunked.decode(data, pos);
          if (chunked.complete) {
            this.complete(this.body.take());
            break;
          }
          if (chunked.error !== null) {
            this.failWith(chunked.error);
            return;
          }
          // The bytes ran out, maybe inside a chunk line: kept until it is complete.
          this.keep(data, pos);
          return;
        }
        case State.Stopped:
          return;
      }
    }
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
