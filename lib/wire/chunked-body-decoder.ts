import { RequestParseError } from './errors/request-parse.error.js';
import { isBlank } from './http-head.js';
import type { RequestBody } from './request-body.js';
import { CHUNKED_BODY_END } from './wire.constants.js';
import type { WireLimits } from './wire.interfaces.js';

const CR = 0x0d;
const LF = 0x0a;
const SEMICOLON = 0x3b;
const ZERO = 0x30;
const CRLF = Buffer.from('\r\n', 'latin1');
// Largest chunk-size we accept in hex digits (13 hex digits exceed Number.MAX_SAFE_INTEGER).
const MAX_CHUNK_SIZE_DIGITS = 12;
// A chunk-size line of a libprocess message is a few hex digits: look for its CR in JS first.
const SHORT_LINE_BYTES = 18;

const enum ChunkState {
  /** Expecting a chunk-size line. */
  Size,
  /** Inside the data of a chunk. */
  Data,
  /** Expecting the CRLF after a chunk's data. */
  DataEnd,
  /** After the last (0-size) chunk: trailer lines up to an empty one. */
  Trailer,
}

/**
 * The chunked transfer coding of one request body (RFC 9112 section 7.1): chunk-size lines,
 * chunk data handed to the {@link RequestBody}, the CRLF after each chunk, and the trailer,
 * whose fields are ignored. C++ libprocess sends every message body this way, as one chunk.
 *
 * {@link decode} reads as far as the bytes go and says where it stopped; a line cut by the end
 * of a read is the caller's to keep (a `PendingLine`) and to hand back complete.
 */
export class ChunkedBodyDecoder {
  private state = ChunkState.Size;
  /** Body bytes announced so far (checked against `maxBodyBytes`). */
  private total = 0;
  /** Data bytes still due for the current chunk. */
  private remaining = 0;
  private trailerBytes = 0;
  /** Set by {@link decode}: the body ended (its empty trailer line was read). */
  complete = false;
  /** Set by {@link decode}: a framing or limit violation; the body cannot be decoded. */
  error: RequestParseError | null = null;

  constructor(
    private readonly limits: Pick<
      WireLimits,
      'maxHeaderBytes' | 'maxBodyBytes'
    >,
    private readonly body: RequestBody,
  ) {}

  /** Starts a new body. */
  start(): void {
    this.state = ChunkState.Size;
    this.total = 0;
    this.complete = false;
  }

  /**
   * True while the CRLF after a chunk's data is awaited: a fixed two bytes, where every other
   * line ends at its CRLF.
   */
  get awaitsDataEnd(): boolean {
    return this.state === ChunkState.DataEnd;
  }

  /**
   * Decodes `data` from `pos`. Returns where it stopped: just past the body when it is
   * {@link complete}; at an {@link error}; or, when the bytes ran out, at the start of the line
   * they cut (`data.length` when no line was cut).
   */
  decode(data: Buffer, pos: number): number {
    if (this.state === ChunkState.Size && this.total === 0) {
      const end = this.singleChunk(data, pos);
      if (end >= 0) return end;
    }
    const length = data.length;
    while (pos < length) {
      switch (this.state) {
        case ChunkState.Size: {
          const eol = lineEnd(data, pos);
          if (eol < 0) return pos;
          const size = parseChunkSize(
            data,
            pos,
            eol,
            this.limits.maxHeaderBytes,
          );
          if (typeof size !== 'number') return this.fail(size, pos);
          this.total += size;
          if (this.total > this.limits.maxBodyBytes) {
            return this.fail(
              new RequestParseError('Request body too large', 413),
              pos,
            );
          }
          pos = eol + 2;
          if (size === 0) {
            this.state = ChunkState.Trailer;
            this.trailerBytes = 0;
          } else {
            this.remaining = size;
            this.state = ChunkState.Data;
          }
          break;
        }
        case ChunkState.Data: {
          const end = Math.min(length, pos + this.remaining);
          this.body.appendChunk(data, pos, end, this.remaining);
          this.remaining -= end - pos;
          pos = end;
          if (this.remaining === 0) this.state = ChunkState.DataEnd;
          break;
        }
        case ChunkState.DataEnd: {
          if (length - pos < 2) return pos;
          if (data[pos] !== CR || data[pos + 1] !== LF) {
            return this.fail(
              new RequestParseError('Chunk data not followed by CRLF', 400),
              pos,
            );
          }
          pos += 2;
          this.state = ChunkState.Size;
          break;
        }
        case ChunkState.Trailer: {
          // The empty trailer of every libprocess message needs no search.
          const eol =
            data[pos] === CR && data[pos + 1] === LF
              ? pos
              : data.indexOf(CRLF, pos);
          if (eol < 0) return pos;
          if (eol === pos) {
            this.complete = true;
            return pos + 2;
          }
          // Trailer fields are accepted and ignored; they only count against the head limit.
          this.trailerBytes += eol - pos + 2;
          if (this.trailerBytes > this.limits.maxHeaderBytes) {
            return this.fail(
              new RequestParseError('Chunked trailer too large', 431),
              pos,
            );
          }
          pos = eol + 2;
          break;
        }
      }
    }
    return pos;
  }

  /**
   * The body of a C++ libprocess message when it is all in `data`: one chunk, then exactly
   * `\r\n0\r\n\r\n`. Decoded in one step (the general loop takes five); returns where the
   * body ends, or -1 for anything else, which the general loop decodes (and reports).
   */
  private singleChunk(data: Buffer, pos: number): number {
    const eol = lineEnd(data, pos);
    if (eol < 0) return -1;
    const size = parseChunkSize(data, pos, eol, this.limits.maxHeaderBytes);
    if (
      typeof size !== 'number' ||
      size === 0 ||
      size > this.limits.maxBodyBytes
    ) {
      return -1;
    }
    const start = eol + 2;
    const end = start + size;
    if (
      data.length - end < CHUNKED_BODY_END.length ||
      data[end] !== CR ||
      data[end + 1] !== LF ||
      data[end + 2] !== ZERO ||
      data[end + 3] !== CR ||
      data[end + 4] !== LF ||
      data[end + 5] !== CR ||
      data[end + 6] !== LF
    ) {
      return -1;
    }
    this.body.appendChunk(data, start, end, size);
    this.complete = true;
    return end + CHUNKED_BODY_END.length;
  }

  private fail(error: RequestParseError, pos: number): number {
    this.error = error;
    return pos;
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

/**
 * Parses the chunk-size line `data[pos, eol)` of a chunked body (RFC 9112 section 7.1): hex
 * digits, then optional whitespace and `;extensions`, which are ignored.
 *
 * @returns the chunk size, or the violation: 413 for a size beyond 12 hex digits, 400 for a
 * malformed line, 431 for a line longer than `maxLineBytes`.
 */
function parseChunkSize(
  data: Buffer,
  pos: number,
  eol: number,
  maxLineBytes: number,
): number | RequestParseError {
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
      return new RequestParseError('Chunk too large', 413);
    }
    size = size * 16 + digit;
  }
  // After the digits only whitespace and `;extensions` may follow.
  if (digits === 0 || (i < eol && data[i] !== SEMICOLON && !isBlank(data[i]))) {
    return new RequestParseError('Malformed chunk size', 400);
  }
  if (eol - pos > maxLineBytes) {
    return new RequestParseError('Chunk extensions too large', 431);
  }
  return size;
}
