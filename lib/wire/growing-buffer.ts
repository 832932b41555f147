// The first allocation: small, so that a connection trickling a few bytes holds little.
const MIN_CAPACITY = 64;

/**
 * Bytes gathered from several socket reads into one contiguous buffer that doubles as it
 * fills. One object and at most ~2x the bytes held, whatever the segmentation: a peer that
 * sends one byte per read costs what its bytes cost, not one Buffer view per read.
 */
export class GrowingBuffer {
  private buffer: Buffer | null = null;
  /** Bytes gathered so far. */
  length = 0;

  /** Bytes allocated (what the gathered bytes cost in memory). */
  get capacity(): number {
    return this.buffer === null ? 0 : this.buffer.length;
  }

  /**
   * Appends `data[start, end)`. The buffer grows to at least twice its size, never beyond
   * `maxCapacity` (the final size when it is known, e.g. a Content-Length).
   */
  append(
    data: Uint8Array,
    start: number,
    end: number,
    maxCapacity = Number.MAX_SAFE_INTEGER,
  ): void {
    const needed = this.length + (end - start);
    let buffer = this.buffer;
    if (buffer === null || buffer.length < needed) {
      const capacity = Math.min(
        Math.max(needed, (buffer?.length ?? MIN_CAPACITY / 2) * 2),
        Math.max(maxCapacity, needed),
      );
      const grown = Buffer.allocUnsafe(capacity);
      if (buffer !== null) buffer.copy(grown, 0, 0, this.length);
      this.buffer = buffer = grown;
    }
    buffer.set(data.subarray(start, end), this.length);
    this.length = needed;
  }

  /** The byte at `index` (< length). */
  at(index: number): number {
    return this.buffer![index];
  }

  /** The gathered bytes; the buffer is released (the result owns them). */
  take(): Buffer {
    const buffer = this.buffer;
    const length = this.length;
    this.buffer = null;
    this.length = 0;
    if (buffer === null) return Buffer.alloc(0);
    return length === buffer.length ? buffer : buffer.subarray(0, length);
  }

  /** Drops the gathered bytes. */
  clear(): void {
    this.buffer = null;
    this.length = 0;
  }
}
