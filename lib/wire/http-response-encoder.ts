import {
  RESPONSE_202,
  RESPONSE_404,
  STATUS_REASONS,
} from './wire.constants.js';
import type { WireResponse } from './wire.interfaces.js';
import { EMPTY_BODY } from './wire.utils.js';

/** The answer to a delivered message, as C++ libprocess writes it (Date omitted). */
export const ACCEPTED = Buffer.from(RESPONSE_202, 'latin1');
/** The most {@link ACCEPTED} answers {@link ACCEPTED_RUN} holds. */
export const ACCEPTED_RUN_MAX = 2048;
/**
 * {@link ACCEPTED} {@link ACCEPTED_RUN_MAX} times in a row: a stream of messages is answered
 * with slices of it (no bytes per response), and its answers are counted against it.
 */
export const ACCEPTED_RUN = Buffer.from(
  RESPONSE_202.repeat(ACCEPTED_RUN_MAX),
  'latin1',
);
/** The answer to a message for no such process, and to a request no route serves. */
export const NOT_FOUND = Buffer.from(RESPONSE_404, 'latin1');
/** {@link NOT_FOUND} on a connection that closes after it. */
export const NOT_FOUND_CLOSE = errorResponse(404);
/** The answer to a message whose sender cannot be parsed (the connection stays). */
export const BAD_SENDER = Buffer.from(
  'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n',
  'latin1',
);
/** The interim response an `Expect: 100-continue` client waits for. */
export const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
/** The answer when a handler threw. */
export const SERVER_ERROR = Buffer.from(
  'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n',
  'latin1',
);

// Header names and values must not be able to inject lines into the response.
const UNSAFE_HEADER_TEXT = /[\r\n]/;

/** An empty response with `Connection: close` (framing errors, limits). */
export function errorResponse(status: number): Buffer {
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_REASONS[status] ?? 'Unknown'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    'latin1',
  );
}

/**
 * Serialises a handler's response. Content-Length is always computed here; `Connection` is
 * added for HTTP/1.0 keep-alive requests and for connections about to close.
 *
 * @throws Error for a status outside 100-999 or a header that would break the framing.
 */
export function encodeResponse(
  response: WireResponse,
  keepAlive: boolean,
  close: boolean,
  omitBody = false,
): Buffer {
  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new Error(`Invalid HTTP status ${String(status)}`);
  }
  const body =
    response.body === undefined
      ? EMPTY_BODY
      : typeof response.body === 'string'
        ? Buffer.from(response.body, 'utf8')
        : response.body;
  let head = `HTTP/1.1 ${status} ${STATUS_REASONS[status] ?? 'Unknown'}\r\n`;
  if (response.headers !== undefined) {
    for (const [name, value] of Object.entries(response.headers)) {
      const lower = name.toLowerCase();
      if (lower === 'content-length' || lower === 'connection') continue;
      const text = String(value);
      if (
        !name ||
        UNSAFE_HEADER_TEXT.test(name) ||
        UNSAFE_HEADER_TEXT.test(text)
      ) {
        throw new Error(`Invalid response header ${JSON.stringify(name)}`);
      }
      head += `${name}: ${text}\r\n`;
    }
  }
  head += `Content-Length: ${body.length}\r\n`;
  if (close) head += 'Connection: close\r\n';
  else if (keepAlive) head += 'Connection: Keep-Alive\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  return omitBody || body.length === 0
    ? headBytes
    : Buffer.concat([headBytes, body], headBytes.length + body.length);
}
