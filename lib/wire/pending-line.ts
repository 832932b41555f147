import { GrowingBuffer } from './growing-buffer.js';

/**
 * A request head, chunk-size line, chunk end or trailer line that spans socket reads: its
 * bytes so far, gathered in one {@link GrowingBuffer} (one object and ~2x the bytes, however
 * the peer splits them), and since when it has been waiting for the rest. A peer that stalls
 * there is the slowloris pattern: legitimate senders finish a line within one round trip.
 */
export class PendingLine {
  private readonly bytes = new GrowingBuffer();
  /** When the first of the bytes arrived (ms, `Date.now()`). */
  private sinceMs = 0;

  /** Bytes gathered so far (0: nothing is pending). */
  get length(): number {
    return this.bytes.length;
  }

  /** Bytes allocated for them. */
  get capacity(): number {
    return this.bytes.capacity;
  }

  /** Since when (ms since the epoch) the line has been waiting; 0 when nothing is pending. */
  get since(): number {
    return this.bytes.length > 0 ? this.sinceMs : 0;
  }

  /** Restarts the clock (the node had stopped reading: that time is not the peer's). */
  restartClock(now: number): void {
    if (this.bytes.length > 0) this.sinceMs = now;
  }

  /** Appends `data[start, end)`; the first bytes start the clock. */
  append(data: Buffer, start: number, end: number): void {
    if (this.bytes.length === 0) this.sinceMs = Date.now();
    this.bytes.append(data, start, end);
  }

  /**
   * Where in `chunk` the line ends: the offset just past the first `terminator` (CRLF, or
   * CRLFCRLF for a head) in the pending bytes followed by `chunk`, or -1 when `chunk` does not
   * complete it. The terminator may straddle the boundary; the pending bytes never hold a
   * whole one (they were gathered because it was missing).
   */
  endIn(chunk: Buffer, terminator: Buffer): number {
    const bytes = this.bytes;
    const pending = bytes.length;
    const total = pending + chunk.length;
    for (
      let start = Math.max(0, pending - terminator.length + 1);
      start < pending && start + terminator.length <= total;
      start++
    ) {
      let i = 0;
      while (i < terminator.length) {
        const at = start + i;
        const byte = at < pending ? bytes.at(at) : chunk[at - pending];
        if (byte !== terminator[i]) break;
        i++;
      }
      if (i === terminator.length) return start + terminator.length - pending;
    }
    const inside = chunk.indexOf(terminator);
    return inside < 0 ? -1 : inside + terminator.length;
  }

  /** The gathered bytes; nothing is pending any more. */
  take(): Buffer {
    return this.bytes.take();
  }

  /** Drops the gathered bytes. */
  clear(): void {
    this.bytes.clear();
  }
}
