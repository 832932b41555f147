import { RequestParseError } from './errors/request-parse.error.js';
import { Upid } from './upid.js';
import { LIBPROCESS_USER_AGENT_PREFIX } from './wire.constants.js';
import type { WireLimits, WireRequest } from './wire.interfaces.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const EMPTY_BODY = Buffer.alloc(0);
// Largest chunk-size we accept in hex digits (13 hex digits exceed Number.MAX_SAFE_INTEGER).
const MAX_CHUNK_SIZE_DIGITS = 12;

// Heads up to this size are remembered for the repeat check (libprocess heads are ~200 bytes).
const MAX_CACHED_HEAD_BYTES = 1024;
// Distinct heads remembered per connection: one sender on one connection alternates between a
// few mailboxes (a full head parse costs ~10x an exact repeat).
const CACHED_HEADS = 4;
// A chunk-size line of a libprocess message is a few hex digits: look for its CR in JS first.
const SHORT_LINE_BYTES = 18;

/** The parse of a recent request head of a connection. */
interface CachedHead {
  bytes: Buffer;
  method: string;
  path: string;
  version: '1.0' | '1.1';
  headers: Record<string, string>;
  from: Upid | undefined;
  /** The target of a libprocess message head, undefined for any other request. */
  to: string | undefined;
  name: string | undefined;
  framing: number;
  expectContinue: boolean;
}

/**
 * Receives a libprocess message (a POST with a sender to `/<process id>/<name>`) in place of a
 * {@link WireRequest}: no per-message object is built.
 *
 * @publicApi
 */
export type MessageSink = (
  from: Upid,
  to: string,
  name: string,
  body: Buffer,
) => void;

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  Dead,
}

// RFC 9110 token characters, for header names and methods.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/**
 * Header bag without a prototype chain, so names such as `constructor` or `__proto__` sent by
 * a peer are plain entries (a class keeps V8's fast property mode, unlike Object.create(null)).
 */
const HeaderBag = function HeaderBag(
  this: Record<string, string>,
) {} as unknown as {
  new (): Record<string, string>;
};
HeaderBag.prototype = Object.create(null);

/**
 * Streaming HTTP/1.x request parser for one inbound connection, fed raw socket chunks.
 *
 * It is a byte scanner over Buffers: a head that repeats one of the connection's recent heads
 * is recognised by one byte comparison, any other head is located with `indexOf(CRLFCRLF)` and
 * decoded once, bodies are zero-copy slices of the socket chunk when they arrive in one piece (else
 * copied once into a buffer of the announced size), and bytes are joined only when a line or
 * head truly spans reads. Requests are reported in order through `onRequest`; the first
 * framing or limit violation is reported through `onError` and the parser stops for good
 * (the connection is to be answered and closed). `execute` never throws.
 *
 * @publicApi
 */
export class RequestParser {
  private state = State.Head;
  /** Unconsumed bytes of a head/line that spans reads, as received (joined only once). */
  private pendingParts: Buffer[] = [];
  private pendingBytes = 0;

  private request: WireRequest | null = null;
  /** Target of the current request when it is a message for the message sink. */
  private messageFrom: Upid | undefined;
  private messageTo = '';
  private messageName: string | undefined;
  private body: Buffer | null = null;
  private bodyFilled = 0;
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;
  private chunkRemaining = 0;
  private trailerBytes = 0;
  /** End of the head matched by {@link repeatedHead}. */
  private headEnd = 0;
  /** Whether the current request asked for `100 Continue` (`Expect: 100-continue`). */
  private expectContinue = false;

  /** Recently parsed heads, replaced round-robin. */
  private readonly cachedHeads: CachedHead[] = [];
  private nextCachedHead = 0;
  // Senders repeat on a connection: reuse the last parsed PID.
  private lastFromText = '';
  private lastFrom: Upid | undefined;

  constructor(
    private readonly limits: Pick<
      WireLimits,
      'maxHeaderBytes' | 'maxHeaderCount' | 'maxBodyBytes'
    >,
    private readonly onRequest: (request: WireRequest) => void,
    private readonly onError: (error: RequestParseError) => void,
    /**
     * Called when an accepted head announces a body and carries `Expect: 100-continue`
     * (HTTP/1.1): the client waits for an interim `100 Continue` before sending the body.
     */
    private readonly onExpectContinue?: () => void,
    /**
     * When set, libprocess messages are reported here instead of through `onRequest`
     * (a message whose target cannot be decoded still goes to `onRequest`).
     */
    private readonly onMessage?: MessageSink,
  ) {}

  /** True once a violation was reported or {@link stop} was called. */
  get stopped(): boolean {
    return this.state === State.Dead;
  }

  /** Ignores every further byte (e.g. after `Connection: close`). */
  stop(): void {
    this.state = State.Dead;
    this.pendingParts = [];
    this.pendingBytes = 0;
    this.chunks = [];
    this.body = null;
    this.request = null;
    this.messageName = undefined;
  }

  /** Feeds one chunk of the connection's byte stream. Never throws. */
  execute(chunk: Buffer): void {
    if (this.state === State.Dead || chunk.length === 0) return;
    try {
      if (this.pendingBytes > 0) {
        const cut = this.pendingEnd(chunk);
        if (cut < 0) {
          this.pendingParts.push(chunk);
          this.pendingBytes += chunk.length;
          this.checkPendingLimit();
          return;
        }
        // Join only the straddling line or head, never the rest of the read.
        const parts = this.pendingParts;
        parts.push(chunk.subarray(0, cut));
        const joined = Buffer.concat(parts, this.pendingBytes + cut);
        this.pendingParts = [];
        this.pendingBytes = 0;
        this.run(joined);
        if (cut === chunk.length) return;
        chunk = chunk.subarray(cut);
      }
      this.run(chunk);
    } catch (error) {
      // Defensive: a bug here must cost only this connection, never the process.
      this.fail(400, `Malformed request (${(error as Error).message})`);
    }
  }

  /**
   * Where in `chunk` the line or head pending from earlier reads ends (the offset just past
   * its terminator), or -1 when `chunk` does not complete it.
   */
  private pendingEnd(chunk: Buffer): number {
    if (this.state === State.ChunkEnd) {
      return Math.min(chunk.length, 2 - this.pendingBytes);
    }
    const needle = this.state === State.Head ? CRLFCRLF : CRLF;
    // The terminator may straddle the boundary: look at the last bytes before it first.
    const tail = Buffer.allocUnsafe(
      Math.min(this.pendingBytes, needle.length - 1),
    );
    let filled = tail.length;
    for (let i = this.pendingParts.length - 1; i >= 0 && filled > 0; i--) {
      const part = this.pendingParts[i];
      const take = Math.min(filled, part.length);
      part.copy(tail, filled - take, part.length - take);
      filled -= take;
    }
    const straddle = Buffer.concat([
      tail,
      chunk.subarray(0, needle.length - 1),
    ]).indexOf(needle);
    if (straddle >= 0) return straddle + needle.length - tail.length;
    const inside = chunk.indexOf(needle);
    return inside < 0 ? -1 : inside + needle.length;
  }

  private checkPendingLimit(): void {
    if (this.pendingBytes > this.limits.maxHeaderBytes + 4) {
      this.fail(
        431,
        this.state === State.Head
          ? 'Request header too large'
          : 'Chunk line or trailer too large',
      );
    }
  }

  private keep(data: Buffer, pos: number): void {
    if (pos >= data.length) return;
    this.pendingParts.push(pos === 0 ? data : data.subarray(pos));
    this.pendingBytes = data.length - pos;
    this.checkPendingLimit();
  }

  private run(data: Buffer): void {
    const length = data.length;
    let pos = 0;
    while (pos < length) {
      switch (this.state) {
        case State.Head: {
          // Tolerate stray CRLFs between requests (RFC 9112 section 2.2).
          while (pos < length && (data[pos] === CR || data[pos] === LF)) pos++;
          if (pos === length) return;
          let framing = this.repeatedHead(data, pos);
          if (framing === -3) {
            const end = data.indexOf(CRLFCRLF, pos);
            if (end < 0) {
              this.keep(data, pos);
              return;
            }
            if (end - pos > this.limits.maxHeaderBytes) {
              this.fail(431, 'Request header too large');
              return;
            }
            framing = this.head(data, pos, end);
            if (framing < -1) return; // failed
            pos = end + 4;
          } else {
            pos = this.headEnd + 4;
          }
          if (this.expectContinue && framing !== 0) this.onExpectContinue?.();
          if (framing === -1) {
            this.state = State.ChunkSize;
            this.chunkedBytes = 0;
          } else if (framing === 0) {
            this.complete(EMPTY_BODY);
          } else if (length - pos >= framing) {
            const body = data.subarray(pos, pos + framing);
            pos += framing;
            this.complete(body);
          } else {
            this.body = Buffer.allocUnsafe(framing);
            this.bodyFilled = data.copy(this.body, 0, pos);
            this.state = State.Body;
            return;
          }
          break;
        }
        case State.Body: {
          const body = this.body!;
          const copied = data.copy(body, this.bodyFilled, pos);
          this.bodyFilled += copied;
          pos += copied;
          if (this.bodyFilled === body.length) {
            this.body = null;
            this.complete(body);
          }
          break;
        }
        case State.ChunkSize: {
          const eol = lineEnd(data, pos);
          if (eol < 0) {
            this.keep(data, pos);
            return;
          }
          const size = this.parseChunkSize(data, pos, eol);
          if (size < 0) return; // failed
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
          const take = Math.min(this.chunkRemaining, length - pos);
          this.chunks.push(data.subarray(pos, pos + take));
          pos += take;
          this.chunkRemaining -= take;
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
            const chunks = this.chunks;
            this.chunks = [];
            this.complete(
              chunks.length === 1
                ? chunks[0]
                : chunks.length === 0
                  ? EMPTY_BODY
                  : Buffer.concat(chunks, this.chunkedBytes),
            );
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
        case State.Dead:
          return;
      }
    }
  }

  /**
   * A libprocess sender repeats the same head for every message to the same mailbox (same
   * sender, path and framing, and for Content-Length dialects often the same length), so a
   * head that exactly repeats a recent one reuses its parse, and is found without scanning for
   * its end: a cached head followed by CRLFCRLF at `pos` is that head. This is exact because a
   * cached head was delimited by the first CRLFCRLF after its start and does not end in CR or
   * LF (see {@link head}), so no earlier CRLFCRLF can start inside it.
   *
   * Sets `this.request` and `this.headEnd` and returns the framing on a hit; -3 on a miss.
   */
  private repeatedHead(data: Buffer, pos: number): number {
    const heads = this.cachedHeads;
    for (let i = 0; i < heads.length; i++) {
      const cached = heads[i];
      const bytes = cached.bytes;
      const end = pos + bytes.length;
      if (
        data[end] === CR &&
        data[end + 1] === LF &&
        data[end + 2] === CR &&
        data[end + 3] === LF &&
        data.compare(bytes, 0, bytes.length, pos, end) === 0
      ) {
        this.headEnd = end;
        this.expectContinue = cached.expectContinue;
        if (cached.name !== undefined) {
          // The hot path of a stream of messages: no request object.
          this.messageFrom = cached.from;
          this.messageTo = cached.to!;
          this.messageName = cached.name;
          return cached.framing;
        }
        this.request = {
          method: cached.method,
          path: cached.path,
          version: cached.version,
          headers: cached.headers,
          body: EMPTY_BODY,
          from: cached.from,
        };
        return cached.framing;
      }
    }
    return -3;
  }

  /** Parses the head `data[pos, end)` into `this.request` and remembers it for repeats. */
  private head(data: Buffer, pos: number, end: number): number {
    const length = end - pos;
    const framing = this.parseHead(data.toString('latin1', pos, end));
    const request = this.request;
    let to: string | undefined;
    let name: string | undefined;
    if (framing >= -1 && request !== null && this.onMessage !== undefined) {
      const target = messageTarget(request);
      if (target !== undefined && target[0] !== null) {
        to = target[0];
        name = target[1];
        this.messageFrom = request.from;
        this.messageTo = to;
        this.messageName = name;
        this.request = null;
      }
    }
    const last = data[end - 1];
    if (
      framing >= -1 &&
      request !== null &&
      length <= MAX_CACHED_HEAD_BYTES &&
      last !== CR &&
      last !== LF
    ) {
      // Shared by every request with this head from now on, hence read-only.
      Object.freeze(request.headers);
      const cached: CachedHead = {
        bytes: Buffer.from(data.subarray(pos, end)),
        method: request.method,
        path: request.path,
        version: request.version,
        headers: request.headers,
        from: request.from,
        to,
        name,
        framing,
        expectContinue: this.expectContinue,
      };
      if (this.cachedHeads.length < CACHED_HEADS) {
        this.cachedHeads.push(cached);
      } else {
        this.cachedHeads[this.nextCachedHead] = cached;
        this.nextCachedHead = (this.nextCachedHead + 1) % CACHED_HEADS;
      }
    }
    return framing;
  }

  /**
   * Parses a request head (without the final CRLFCRLF) into `this.request`. Returns the body
   * framing: the Content-Length (0 for none), -1 for chunked, -2 after a failure.
   */
  private parseHead(head: string): number {
    const headLength = head.length;
    let lineEnd = head.indexOf('\r\n');
    if (lineEnd < 0) lineEnd = headLength;
    const sp1 = head.indexOf(' ');
    const sp2 = sp1 < 0 ? -1 : head.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 >= lineEnd || sp2 === sp1 + 1) {
      return this.failHead('Malformed request line');
    }
    for (let i = 0; i < sp1; i++) {
      const c = head.charCodeAt(i);
      if (c >= 128 || TOKEN[c] === 0) return this.failHead('Malformed method');
    }
    let version: '1.0' | '1.1';
    if (lineEnd - sp2 !== 9 || !head.startsWith('HTTP/1.', sp2 + 1)) {
      return this.failHead('Unsupported HTTP version');
    }
    const minor = head.charCodeAt(lineEnd - 1);
    if (minor === 0x31) version = '1.1';
    else if (minor === 0x30) version = '1.0';
    else return this.failHead('Unsupported HTTP version');

    const headers = new HeaderBag();
    let contentLength = -1;
    let chunked = false;
    let transferEncoding = false;
    let from: Upid | undefined;
    let userAgentFrom: string | undefined;
    let count = 0;
    let pos = lineEnd + 2;
    while (pos < headLength) {
      let eol = head.indexOf('\r\n', pos);
      if (eol < 0) eol = headLength;
      const colon = head.indexOf(':', pos);
      if (colon <= pos || colon >= eol) {
        return this.failHead('Malformed header line');
      }
      if (++count > this.limits.maxHeaderCount) {
        return this.failHead('Too many request headers', 431);
      }
      for (let i = pos; i < colon; i++) {
        const c = head.charCodeAt(i);
        if (c >= 128 || TOKEN[c] === 0) {
          return this.failHead('Malformed header name');
        }
      }
      let vStart = colon + 1;
      let vEnd = eol;
      while (vStart < vEnd && isBlank(head.charCodeAt(vStart))) vStart++;
      while (vEnd > vStart && isBlank(head.charCodeAt(vEnd - 1))) vEnd--;
      const name = head.slice(pos, colon).toLowerCase();
      const value = head.slice(vStart, vEnd);
      const previous = headers[name];
      headers[name] = previous === undefined ? value : `${previous}, ${value}`;
      pos = eol + 2;

      switch (name) {
        case 'content-length': {
          const parsed = parseDecimal(value);
          if (parsed < 0 || (contentLength >= 0 && parsed !== contentLength)) {
            return this.failHead('Invalid Content-Length');
          }
          contentLength = parsed;
          break;
        }
        case 'transfer-encoding':
          transferEncoding = true;
          chunked = isChunked(headers[name]);
          break;
        case 'libprocess-from':
          from = this.parseFrom(value);
          break;
        case 'user-agent':
          if (value.startsWith(LIBPROCESS_USER_AGENT_PREFIX)) {
            userAgentFrom = value.slice(LIBPROCESS_USER_AGENT_PREFIX.length);
          }
          break;
      }
    }
    if (transferEncoding) {
      // A body length that cannot be determined, or two competing ones, cannot be framed
      // safely (RFC 9112 section 6.3).
      if (!chunked) return this.failHead('Unsupported Transfer-Encoding');
      if (contentLength >= 0) {
        return this.failHead('Both Transfer-Encoding and Content-Length');
      }
    }
    if (contentLength > this.limits.maxBodyBytes) {
      return this.failHead('Request body too large', 413);
    }
    if (
      from === undefined &&
      userAgentFrom !== undefined &&
      headers['libprocess-from'] === undefined
    ) {
      from = this.parseFrom(userAgentFrom);
    }
    // HTTP/1.0 clients cannot wait for an interim response (RFC 9110 section 10.1.1).
    const expect = headers['expect'];
    this.expectContinue =
      version === '1.1' &&
      expect !== undefined &&
      expect.toLowerCase() === '100-continue';
    this.request = {
      method: head.slice(0, sp1),
      path: head.slice(sp1 + 1, sp2),
      version,
      headers,
      body: EMPTY_BODY,
      from,
    };
    return chunked ? -1 : contentLength < 0 ? 0 : contentLength;
  }

  private parseFrom(text: string): Upid | undefined {
    if (text === this.lastFromText) return this.lastFrom;
    let from: Upid | undefined;
    try {
      from = Upid.parse(text);
    } catch {
      // An unparsable sender makes the request a non-message; the node answers it.
      from = undefined;
    }
    this.lastFromText = text;
    this.lastFrom = from;
    return from;
  }

  /** Parses a chunk-size line `[pos, eol)`; returns the size, or -1 after a failure. */
  private parseChunkSize(data: Buffer, pos: number, eol: number): number {
    let size = 0;
    let digits = 0;
    let i = pos;
    for (; i < eol; i++) {
      const c = data[i];
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      if (++digits > MAX_CHUNK_SIZE_DIGITS) {
        this.fail(413, 'Chunk too large');
        return -1;
      }
      size = size * 16 + d;
    }
    // After the digits only whitespace and `;extensions` may follow.
    if (digits === 0 || (i < eol && data[i] !== 0x3b && !isBlank(data[i]))) {
      this.fail(400, 'Malformed chunk size');
      return -1;
    }
    if (eol - pos > this.limits.maxHeaderBytes) {
      this.fail(431, 'Chunk extensions too large');
      return -1;
    }
    this.chunkedBytes += size;
    if (this.chunkedBytes > this.limits.maxBodyBytes) {
      this.fail(413, 'Request body too large');
      return -1;
    }
    return size;
  }

  private complete(body: Buffer): void {
    const name = this.messageName;
    if (name !== undefined) {
      this.messageName = undefined;
      this.state = State.Head;
      this.onMessage!(this.messageFrom!, this.messageTo, name, body);
      return;
    }
    const request = this.request!;
    request.body = body;
    this.request = null;
    this.state = State.Head;
    this.onRequest(request);
  }

  private failHead(reason: string, status: 400 | 413 | 431 = 400): number {
    this.fail(status, reason);
    return -2;
  }

  private fail(status: 400 | 413 | 431, reason: string): void {
    if (this.state === State.Dead) return;
    this.stop();
    this.onError(new RequestParseError(reason, status));
  }
}

/**
 * `[process id, message name]` when `request` is a libprocess message: a POST with a sender to
 * `/<id>/<name>` (a query is not part of the name; the id is percent-decoded, null when it
 * cannot be). Undefined for any other request.
 *
 * @internal
 */
export function messageTarget(
  request: WireRequest,
): [string | null, string] | undefined {
  if (request.method !== 'POST' || request.from === undefined) return undefined;
  const path = request.path;
  const slash = path.indexOf('/', 1);
  if (path.charCodeAt(0) !== 0x2f || slash <= 1) return undefined;
  let name = path.slice(slash + 1);
  const query = name.indexOf('?');
  if (query >= 0) name = name.slice(0, query);
  if (name.length === 0) return undefined;
  let to = path.slice(1, slash);
  if (to.includes('%')) {
    try {
      to = decodeURIComponent(to);
    } catch {
      return [null, name];
    }
  }
  return [to, name];
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

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Strict decimal (digits only, no sign); -1 when invalid or beyond a safe integer. */
function parseDecimal(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** `chunked` must be the final transfer coding. */
function isChunked(value: string): boolean {
  const comma = value.lastIndexOf(',');
  const last = (comma < 0 ? value : value.slice(comma + 1)).trim();
  return last.length === 7 && last.toLowerCase() === 'chunked';
}
