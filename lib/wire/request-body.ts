import { GrowingBuffer } from './growing-buffer.js';
import { EMPTY_BODY } from './wire.utils.js';

// First allocation for a Content-Length body that arrives in pieces; it then doubles with
// the data, so an announced length alone never allocates memory.
const INITIAL_BODY_BYTES = 16 * 1024;

/**
 * The body of the request being decoded, gathered as it arrives.
 *
 * A body that arrives within one read is never copied: a Content-Length body is sliced by the
 * decoder itself, and the single chunk of a chunked body (every libprocess message C++ sends)
 * stays a slice of its read here. Anything else is copied into one {@link GrowingBuffer} that
 * grows with what arrived, never with what was announced, so memory follows the bytes held.
 */
export class RequestBody {
  private readonly gathered = new GrowingBuffer();
  /** The single chunk of a chunked body, as a slice of the read it arrived in. */
  private slice: Buffer | null = null;

  /** Bytes gathered so far (not counting a held slice). */
  get length(): number {
    return this.gathered.length;
  }

  /** Bytes this body holds in memory (allocated, or referenced from a read). */
  get bufferedBytes(): number {
    return (
      this.gathered.capacity + (this.slice === null ? 0 : this.slice.length)
    );
  }

  /** Appends `data[start, end)` of a body of `bodyLength` bytes (Content-Length). */
  appendSized(
    data: Buffer,
    start: number,
    end: number,
    bodyLength: number,
  ): void {
    const gathered = this.gathered;
    const capacity =
      gathered.capacity === 0
        ? Math.min(bodyLength, Math.max(INITIAL_BODY_BYTES, end - start))
        : bodyLength;
    gathered.append(data, start, end, capacity);
  }

  /**
   * Appends chunk data `data[start, end)`, of which `chunkRemaining` bytes were still due for
   * the current chunk: a first chunk that is complete in this read is kept as a slice.
   */
  appendChunk(
    data: Buffer,
    start: number,
    end: number,
    chunkRemaining: number,
  ): void {
    const slice = this.slice;
    if (
      slice === null &&
      this.gathered.length === 0 &&
      end - start === chunkRemaining
    ) {
      this.slice = data.subarray(start, end);
      return;
    }
    if (slice !== null) {
      this.gathered.append(slice, 0, slice.length);
      this.slice = null;
    }
    this.gathered.append(data, start, end);
  }

  /** The complete body; this holder is empty again (the result owns the bytes). */
  take(): Buffer {
    const slice = this.slice;
    if (slice !== null) {
      this.slice = null;
      return slice;
    }
    return this.gathered.length === 0 ? EMPTY_BODY : this.gathered.take();
  }

  /** Drops what was gathered. */
  clear(): void {
    this.gathered.clear();
    this.slice = null;
  }
}
