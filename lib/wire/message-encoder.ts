import type { Upid } from './upid.js';
import { CHUNKED_BODY_END, KEEP_ALIVE_HEADER } from './wire.constants.js';

/**
 * The request head C++ libprocess writes for a message (`MessageEncoder::encode`), up to and
 * including the chunk-size line when the body is non-empty. Everything in it is ASCII (PIDs and
 * names are validated), so its string length is its byte length.
 *
 * @publicApi
 */
export function encodeMessageHead(
  from: Upid | string,
  to: Upid,
  name: string,
  bodyLength: number,
): string {
  const sender = typeof from === 'string' ? from : from.toString();
  const head =
    `POST /${to.id}/${name} HTTP/1.1\r\n` +
    `User-Agent: libprocess/${sender}\r\n` +
    `Libprocess-From: ${sender}\r\n` +
    KEEP_ALIVE_HEADER +
    `Host: ${to.address}\r\n`;
  return bodyLength === 0
    ? `${head}\r\n`
    : `${head}Transfer-Encoding: chunked\r\n\r\n${bodyLength.toString(16)}\r\n`;
}

/** Bytes that follow a non-empty body: the end of its chunk and the last-chunk marker. */
export const MESSAGE_BODY_END = Buffer.from(CHUNKED_BODY_END, 'latin1');

/**
 * Encodes one message exactly as C++ libprocess does (for tests and one-off writes; the
 * connection pool encodes straight into its write slabs instead).
 *
 * @publicApi
 */
export function encodeMessage(
  from: Upid | string,
  to: Upid,
  name: string,
  body: Uint8Array = new Uint8Array(0),
): Buffer {
  const head = encodeMessageHead(from, to, name, body.length);
  if (body.length === 0) return Buffer.from(head, 'latin1');
  const out = Buffer.allocUnsafe(
    head.length + body.length + MESSAGE_BODY_END.length,
  );
  let offset = out.write(head, 0, 'latin1');
  out.set(body, offset);
  offset += body.length;
  MESSAGE_BODY_END.copy(out, offset);
  return out;
}

// Mailbox names go verbatim into the request line: printable ASCII without spaces.
const MESSAGE_NAME_PATTERN = /^[\x21-\x7e]+$/;

/** True when `name` can be written into a request line. */
export function isValidMessageName(name: string): boolean {
  return typeof name === 'string' && MESSAGE_NAME_PATTERN.test(name);
}
