import {
  ACCEPTED,
  ACCEPTED_RUN,
  ACCEPTED_RUN_MAX,
} from './http-response-encoder.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const ACCEPTED_BYTES = ACCEPTED.length;
// A response head longer than this is not a libprocess answer: stop counting.
const MAX_RESPONSE_HEAD_BYTES = 8 * 1024;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*(?:\r\n|$)/i;

/**
 * Counts the responses a peer writes back on an outbound connection (its 202 for each
 * message), so that shutdown can wait until every message written was answered. Responses
 * carry nothing else we need; their bytes are dropped as they are counted. A stream it
 * cannot frame (chunked or oversized heads, which no libprocess peer sends) stops the count:
 * {@link broken} is then true.
 *
 * A TypeScript peer answers a stream of messages with runs of identical 202s: as many as a
 * read holds are checked with one comparison against {@link ACCEPTED_RUN}, not one per
 * response, and a response cut by the end of a read is completed from the next read without
 * copying that read.
 */
export class ResponseCounter {
  /** Complete responses seen. */
  count = 0;
  broken = false;
  /** Body bytes of the current response still to skip. */
  private skip = 0;
  /** The start of a response head that spans reads. */
  private partial: Buffer | null = null;

  feed(chunk: Buffer): void {
    if (this.broken) return;
    let pos = 0;
    if (this.partial !== null) {
      pos = this.completePartial(chunk);
      if (pos < 0) return;
    }
    this.scan(chunk, pos);
  }

  /** Counts the responses of `data` from `pos`; keeps a head cut by its end. */
  private scan(data: Buffer, pos: number): void {
    const length = data.length;
    // Cleared once a run of 202s is interrupted: the rest of this read is checked one
    // response at a time, so a mixed stream costs no repeated long comparisons.
    let runs = true;
    while (pos < length) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, length - pos);
        this.skip -= take;
        pos += take;
        if (this.skip === 0) this.count++;
        continue;
      }
      const whole = Math.min(
        Math.floor((length - pos) / ACCEPTED_BYTES),
        ACCEPTED_RUN_MAX,
      );
      if (runs && whole > 1) {
        const end = pos + whole * ACCEPTED_BYTES;
        if (data.compare(ACCEPTED_RUN, 0, end - pos, pos, end) === 0) {
          this.count += whole;
          pos = end;
          continue;
        }
        runs = false;
      }
      if (whole > 0 && startsWith(data, pos, ACCEPTED, 0, ACCEPTED_BYTES)) {
        this.count++;
        pos += ACCEPTED_BYTES;
        continue;
      }
      const end = data.indexOf(CRLFCRLF, pos);
      if (end < 0) {
        if (length - pos > MAX_RESPONSE_HEAD_BYTES) this.broken = true;
        else this.partial = Buffer.from(data.subarray(pos));
        return;
      }
      if (!this.head(data.toString('latin1', pos, end))) return;
      pos = end + 4;
    }
  }

  /**
   * Completes the head kept from earlier reads with the start of `chunk`. Returns where the
   * rest of `chunk` starts, or -1 when `chunk` did not complete it (or the count broke).
   */
  private completePartial(chunk: Buffer): number {
    const partial = this.partial!;
    // The usual case: the rest of a 202 cut by the end of the previous read.
    const missing = ACCEPTED_BYTES - partial.length;
    if (
      missing > 0 &&
      chunk.length >= missing &&
      startsWith(partial, 0, ACCEPTED, 0, partial.length) &&
      startsWith(chunk, 0, ACCEPTED, partial.length, missing)
    ) {
      this.partial = null;
      this.count++;
      return missing;
    }
    // Any other head: joined with at most what may still belong to it (not the whole read).
    const room = MAX_RESPONSE_HEAD_BYTES + 4 - partial.length;
    const joined = Buffer.concat([
      partial,
      chunk.subarray(0, Math.min(chunk.length, room)),
    ]);
    // Its end may straddle the two reads, so it is searched from before the join.
    const end = joined.indexOf(CRLFCRLF, Math.max(0, partial.length - 3));
    if (end < 0) {
      if (chunk.length >= room) this.broken = true;
      else this.partial = joined;
      return -1;
    }
    this.partial = null;
    if (!this.head(joined.toString('latin1', 0, end))) return -1;
    return end + 4 - partial.length;
  }

  /** Counts a response head (or starts skipping its body); false when it cannot be framed. */
  private head(head: string): boolean {
    if (/\r\ntransfer-encoding:/i.test(head)) {
      this.broken = true;
      return false;
    }
    // Interim responses (100 Continue) answer nothing.
    if (head.startsWith('HTTP/1.1 1') || head.startsWith('HTTP/1.0 1')) {
      return true;
    }
    const bodyLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
    if (bodyLength === 0) this.count++;
    else this.skip = bodyLength;
    return true;
  }
}

/** True when `data[pos, pos + length)` equals `expected[from, from + length)`. */
function startsWith(
  data: Buffer,
  pos: number,
  expected: Buffer,
  from: number,
  length: number,
): boolean {
  if (data.length - pos < length) return false;
  for (let i = 0; i < length; i++) {
    if (data[pos + i] !== expected[from + i]) return false;
  }
  return true;
}
