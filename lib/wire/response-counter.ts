import { RESPONSE_202 } from './wire.constants.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
// What a TypeScript peer answers to every message: recognised by one comparison.
const ACCEPTED = Buffer.from(RESPONSE_202, 'latin1');
// A response head longer than this is not a libprocess answer: stop counting.
const MAX_RESPONSE_HEAD_BYTES = 8 * 1024;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*(?:\r\n|$)/i;

/**
 * Counts the responses a peer writes back on an outbound connection (its 202 for each
 * message), so that shutdown can wait until every message written was answered. Responses
 * carry nothing else we need; their bytes are dropped as they are counted. A stream it
 * cannot frame (chunked or oversized heads, which no libprocess peer sends) stops the count:
 * {@link broken} is then true.
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
    let data = chunk;
    if (this.partial !== null) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let pos = 0;
    const length = data.length;
    while (pos < length) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, length - pos);
        this.skip -= take;
        pos += take;
        if (this.skip === 0) this.count++;
        continue;
      }
      if (
        length - pos >= ACCEPTED.length &&
        data.compare(
          ACCEPTED,
          0,
          ACCEPTED.length,
          pos,
          pos + ACCEPTED.length,
        ) === 0
      ) {
        this.count++;
        pos += ACCEPTED.length;
        continue;
      }
      const end = data.indexOf(CRLFCRLF, pos);
      if (end < 0) {
        if (length - pos > MAX_RESPONSE_HEAD_BYTES) this.broken = true;
        else this.partial = Buffer.from(data.subarray(pos));
        return;
      }
      const head = data.toString('latin1', pos, end);
      if (/\r\ntransfer-encoding:/i.test(head)) {
        this.broken = true;
        return;
      }
      const bodyLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
      pos = end + 4;
      // Interim responses (100 Continue) answer nothing.
      if (head.startsWith('HTTP/1.1 1') || head.startsWith('HTTP/1.0 1')) {
        continue;
      }
      if (bodyLength === 0) this.count++;
      else this.skip = bodyLength;
    }
  }
}
