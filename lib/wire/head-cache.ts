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
  /** Its first `4 * words.length` bytes as little-endian 32-bit words. */
  readonly words: Int32Array;
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

  /**
   * The cached head that `data` repeats at `pos` (followed by CRLFCRLF), if any. `view` is a
   * DataView of exactly `data` (one per read): a head is compared four bytes at a time, which
   * costs a fraction of a `Buffer.compare()` call per message.
   */
  match(data: Buffer, view: DataView, pos: number): CachedHead | undefined {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const cached = entries[i];
      const end = pos + cached.bytes.length;
      if (
        end + 4 <= data.length &&
        data[end] === CR &&
        data[end + 1] === LF &&
        data[end + 2] === CR &&
        data[end + 3] === LF &&
        repeats(data, view, pos, cached)
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
    const bytes = Buffer.from(data.subarray(pos, end));
    const words = new Int32Array(bytes.length >> 2);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < words.length; i++)
      words[i] = view.getInt32(i * 4, true);
    const cached: CachedHead = { bytes, words, head, requestClass };
    if (this.entries.length < CACHED_HEADS) {
      this.entries.push(cached);
    } else {
      this.entries[this.nextReplaced] = cached;
      this.nextReplaced = (this.nextReplaced + 1) % CACHED_HEADS;
    }
  }
}

/** True when `data` (seen through `view`) holds `cached`'s bytes at `pos` (all in range). */
function repeats(
  data: Buffer,
  view: DataView,
  pos: number,
  cached: CachedHead,
): boolean {
  const words = cached.words;
  const count = words.length;
  for (let i = 0; i < count; i++) {
    if (view.getInt32(pos + i * 4, true) !== words[i]) return false;
  }
  const bytes = cached.bytes;
  for (let i = count * 4; i < bytes.length; i++) {
    if (data[pos + i] !== bytes[i]) return false;
  }
  return true;
}
