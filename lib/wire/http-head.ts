import { RequestParseError } from './errors/request-parse.error.js';
import type { Upid } from './upid.js';
import { LIBPROCESS_USER_AGENT_PREFIX } from './wire.constants.js';
import type { WireLimits } from './wire.interfaces.js';

/**
 * {@link HttpHead.bodyLength} of a chunked request: its length is known only once the last
 * chunk arrived.
 */
export const CHUNKED_BODY = -1;

/** A decoded HTTP/1.x request head. */
export interface HttpHead {
  readonly method: string;
  /** The request target as sent (it may carry a query string). */
  readonly path: string;
  readonly version: '1.0' | '1.1';
  /** Names lower-cased, repeated headers joined with ', '; frozen once the head is cached. */
  readonly headers: Record<string, string>;
  /** The libprocess sender: `Libprocess-From`, else `User-Agent: libprocess/<pid>`. */
  readonly from: Upid | undefined;
  /** `Content-Length` (0 without one), or {@link CHUNKED_BODY}. */
  readonly bodyLength: number;
  /** An HTTP/1.1 client waits for `100 Continue` before sending the body. */
  readonly expectContinue: boolean;
}

/** The limits a head is checked against. */
export type HeadLimits = Pick<WireLimits, 'maxHeaderCount' | 'maxBodyBytes'>;

/** Turns a sender PID as written in a header into a `Upid`, undefined when unparsable. */
export type SenderParser = (text: string) => Upid | undefined;

const SP = 0x20;
const HTAB = 0x09;
const DEL = 0x7f;

// RFC 9110 token characters, for header names and methods.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/**
 * Header bag without a prototype chain, so names such as `constructor` or `__proto__` sent by
 * a peer are plain entries (a class keeps V8's fast property mode, unlike Object.create(null)).
 */
const HeaderBag = function HeaderBag(
  this: Record<string, string>,
) {} as unknown as {
  new (): Record<string, string>;
};
HeaderBag.prototype = Object.create(null);

/**
 * Decodes a request head: the request line and header lines separated by CRLF, without the
 * final empty line, as latin1 text. Strict where framing depends on it (RFC 9110/9112):
 * tokens for the method and header names, only SP and HTAB as whitespace, no control
 * characters in values, one agreed body length.
 *
 * @returns the head, or the {@link RequestParseError} (400, 413 or 431) to answer with.
 */
export function parseHttpHead(
  head: string,
  limits: HeadLimits,
  parseSender: SenderParser,
): HttpHead | RequestParseError {
  const headLength = head.length;
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = headLength;
  const sp1 = head.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : head.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || sp2 >= lineEnd || sp2 === sp1 + 1) {
    return malformed('Malformed request line');
  }
  for (let i = 0; i < sp1; i++) {
    if (!isToken(head.charCodeAt(i))) return malformed('Malformed method');
  }
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = head.charCodeAt(i);
    if (c <= SP || c === DEL) return malformed('Malformed request target');
  }
  if (lineEnd - sp2 !== 9 || !head.startsWith('HTTP/1.', sp2 + 1)) {
    return malformed('Unsupported HTTP version');
  }
  let version: '1.0' | '1.1';
  const minor = head.charCodeAt(lineEnd - 1);
  if (minor === 0x31) version = '1.1';
  else if (minor === 0x30) version = '1.0';
  else return malformed('Unsupported HTTP version');

  const headers = new HeaderBag();
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let from: Upid | undefined;
  let userAgentFrom: string | undefined;
  let count = 0;
  let pos = lineEnd + 2;
  while (pos < headLength) {
    let eol = head.indexOf('\r\n', pos);
    if (eol < 0) eol = headLength;
    const colon = head.indexOf(':', pos);
    if (colon <= pos || colon >= eol) return malformed('Malformed header line');
    if (++count > limits.maxHeaderCount) {
      return new RequestParseError('Too many request headers', 431);
    }
    for (let i = pos; i < colon; i++) {
      if (!isToken(head.charCodeAt(i))) {
        return malformed('Malformed header name');
      }
    }
    let valueStart = colon + 1;
    let valueEnd = eol;
    while (valueStart < valueEnd && isBlank(head.charCodeAt(valueStart))) {
      valueStart++;
    }
    while (valueEnd > valueStart && isBlank(head.charCodeAt(valueEnd - 1))) {
      valueEnd--;
    }
    for (let i = valueStart; i < valueEnd; i++) {
      const c = head.charCodeAt(i);
      // CR, LF and NUL would let a value smuggle a line; other controls are as suspect.
      if ((c < SP && c !== HTAB) || c === DEL) {
        return malformed('Malformed header value');
      }
    }
    const name = head.slice(pos, colon).toLowerCase();
    const value = head.slice(valueStart, valueEnd);
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
    pos = eol + 2;

    switch (name) {
      case 'content-length': {
        const parsed = parseDecimal(value);
        if (parsed < 0 || (contentLength >= 0 && parsed !== contentLength)) {
          return malformed('Invalid Content-Length');
        }
        contentLength = parsed;
        break;
      }
      case 'transfer-encoding':
        transferEncoding = headers[name];
        break;
      case 'libprocess-from':
        from = parseSender(value);
        break;
      case 'user-agent':
        if (value.startsWith(LIBPROCESS_USER_AGENT_PREFIX)) {
          userAgentFrom = value.slice(LIBPROCESS_USER_AGENT_PREFIX.length);
        }
        break;
    }
  }
  if (transferEncoding !== undefined) {
    // A body length that cannot be determined, or two competing ones, cannot be framed
    // safely (RFC 9112 section 6.3).
    if (!endsWithChunked(transferEncoding)) {
      return malformed('Unsupported Transfer-Encoding');
    }
    if (contentLength >= 0) {
      return malformed('Both Transfer-Encoding and Content-Length');
    }
  }
  if (contentLength > limits.maxBodyBytes) {
    return new RequestParseError('Request body too large', 413);
  }
  if (
    from === undefined &&
    userAgentFrom !== undefined &&
    headers['libprocess-from'] === undefined
  ) {
    from = parseSender(userAgentFrom);
  }
  const expect = headers['expect'];
  return {
    method: head.slice(0, sp1),
    path: head.slice(sp1 + 1, sp2),
    version,
    headers,
    from,
    bodyLength:
      transferEncoding !== undefined
        ? CHUNKED_BODY
        : contentLength < 0
          ? 0
          : contentLength,
    // HTTP/1.0 clients cannot wait for an interim response (RFC 9110 section 10.1.1).
    expectContinue:
      version === '1.1' &&
      expect !== undefined &&
      expect.toLowerCase() === '100-continue',
  };
}

/** SP or HTAB: the only whitespace HTTP allows around values and in chunk lines. */
export function isBlank(c: number): boolean {
  return c === SP || c === HTAB;
}

function isToken(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

function malformed(reason: string): RequestParseError {
  return new RequestParseError(reason, 400);
}

/** Strict decimal (digits only, no sign); -1 when invalid or beyond a safe integer. */
function parseDecimal(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

/** `chunked` must be the final transfer coding; only SP/HTAB may surround it. */
function endsWithChunked(value: string): boolean {
  let end = value.length;
  while (end > 0 && isBlank(value.charCodeAt(end - 1))) end--;
  let start = value.lastIndexOf(',', end - 1) + 1;
  while (start < end && isBlank(value.charCodeAt(start))) start++;
  return (
    end - start === 7 && value.slice(start, end).toLowerCase() === 'chunked'
  );
}
