import type { HttpHead } from './http-head.js';
import type { RequestClass } from './libprocess-message.js';

const CR = 0x0d;
const LF = 0x0a;

// Heads up to this size are remembered (libprocess heads are ~200 bytes).
const MAX_CACHED_HEAD_BYTES = 1024;
// Distinct heads remembered per connection: one sender on one connection alternates between a
// few mailboxes (a full head parse costs ~10x an exact repeat).
const CACHED_HEADS = 4;

/** A recent request head of a connection: its exact bytes, its parse and classification. */
export interface CachedHead {
  /** The head as received, without the final CRLFCRLF. */
  readonly bytes: Buffer;
  readonly head: HttpHead;
  readonly requestClass: RequestClass;
}

/**
 * The last few distinct request heads of one connection. A libprocess sender repeats the same
 * head for every message to the same mailbox (same sender, path and framing, and for
 * Content-Length dialects often the same length), so a head that exactly repeats a recent one
 * reuses its parse, and is found without scanning for its end: a cached head followed by
 * CRLFCRLF at `pos` is that head. This is exact because a cached head was delimited by the
 * first CRLFCRLF after its start and does not end in CR or LF (see {@link remember}), so no
 * earlier CRLFCRLF can start inside it.
 */
export class HeadCache {
  private readonly entries: CachedHead[] = [];
  /** The slot replaced next once the cache is full (round-robin). */
  private nextReplaced = 0;

  /** The cached head that `data` repeats at `pos` (followed by CRLFCRLF), if any. */
  match(data: Buffer, pos: number): CachedHead | undefined {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const cached = entries[i];
      const bytes = cached.bytes;
      const end = pos + bytes.length;
      if (
        end + 4 <= data.length &&
        data[end] === CR &&
        data[end + 1] === LF &&
        data[end + 2] === CR &&
        data[end + 3] === LF &&
        data.compare(bytes, 0, bytes.length, pos, end) === 0
      ) {
        return cached;
      }
    }
    return undefined;
  }

  /**
   * Remembers the head `data[pos, end)` (without its CRLFCRLF) when it is small and cannot
   * be confused with a longer one. Its headers are frozen: every request with this head shares
   * them from now on.
   */
  remember(
    data: Buffer,
    pos: number,
    end: number,
    head: HttpHead,
    requestClass: RequestClass,
  ): void {
    const last = data[end - 1];
    if (end - pos > MAX_CACHED_HEAD_BYTES || last === CR || last === LF) return;
    Object.freeze(head.headers);
    const cached: CachedHead = {
      bytes: Buffer.from(data.subarray(pos, end)),
      head,
      requestClass,
    };
    if (this.entries.length < CACHED_HEADS) {
      this.entries.push(cached);
    } else {
      this.entries[this.nextReplaced] = cached;
      this.nextReplaced = (this.nextReplaced + 1) % CACHED_HEADS;
    }
  }
}
