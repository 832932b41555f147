import { encodeMessageHead } from './message-encoder.js';
import type { Upid } from './upid.js';
import { MAX_CACHED_MESSAGE_HEADS } from './wire.constants.js';

/**
 * The encoded head of the messages `from -> to.id` named `name` on one connection (the Host
 * header is the connection's address), in both framings, each built on first use.
 */
interface MessageHead {
  readonly from: string;
  readonly toId: string;
  readonly name: string;
  /** The head of an empty message, complete. */
  empty: Buffer | null;
  /** The head of a message with a body, up to the chunk-size line (excluded). */
  chunked: Buffer | null;
  /** The next head with the same name (another sender or process). */
  readonly next: MessageHead | undefined;
}

/**
 * The encoded message heads of one outbound connection, by sender, process id and name: a
 * process sends the same few messages to a peer over and over, and copying a cached head is
 * ~5x cheaper than encoding it. Keyed by name, then a short list per name, so no key string is
 * built per message. Bounded (cleared when full) because senders and names are open-ended.
 *
 * @internal
 */
export class MessageHeadCache {
  private readonly byName = new Map<string, MessageHead>();
  private count = 0;
  private last: MessageHead | null = null;

  /** Number of cached entries (at most `MAX_CACHED_MESSAGE_HEADS`). */
  get size(): number {
    return this.count;
  }

  /**
   * The encoded head of message `name` from `from` to `to`, exactly as `encodeMessageHead`
   * writes it: complete for an empty body; for a body (`chunked`), up to the chunk-size line,
   * which the caller writes per message.
   */
  head(from: Upid, to: Upid, name: string, chunked: boolean): Buffer {
    const entry = this.entry(from.toString(), to, name);
    return chunked
      ? (entry.chunked ??= Buffer.from(
          encodeMessageHead(from, to, name, 1).slice(0, -3),
          'latin1',
        ))
      : (entry.empty ??= Buffer.from(
          encodeMessageHead(from, to, name, 0),
          'latin1',
        ));
  }

  /** Forgets every head (the connection is gone). */
  clear(): void {
    this.byName.clear();
    this.count = 0;
    this.last = null;
  }

  private entry(from: string, to: Upid, name: string): MessageHead {
    const last = this.last;
    if (
      last !== null &&
      last.from === from &&
      last.toId === to.id &&
      last.name === name
    ) {
      return last;
    }
    const first = this.byName.get(name);
    for (let entry = first; entry !== undefined; entry = entry.next) {
      if (entry.from === from && entry.toId === to.id) {
        return (this.last = entry);
      }
    }
    if (this.count >= MAX_CACHED_MESSAGE_HEADS) this.clear();
    const entry: MessageHead = {
      from,
      toId: to.id,
      name,
      empty: null,
      chunked: null,
      next: this.count === 0 ? undefined : first,
    };
    this.byName.set(name, entry);
    this.count++;
    return (this.last = entry);
  }
}
