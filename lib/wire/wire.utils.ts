/**
 * Small wire-level helpers shared by the layers above (the runtime imports them downward):
 * one definition each, so that the empty body, promise detection and address formatting mean
 * the same thing everywhere.
 */

/** The body of an empty message or response; shared, never written to. */
export const EMPTY_BODY: Buffer = Buffer.alloc(0);

/** True for a promise or any other thenable (what `await` would wait for). */
export function isPromiseLike<T = unknown>(
  value: unknown,
): value is PromiseLike<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<T>).then === 'function'
  );
}

/** `host:port`, with an IPv6 host in brackets (`[::1]:5050`), as in PIDs and log lines. */
export function formatHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// Peer input quoted in a log line: long enough to recognise, short enough to stay one line.
const MAX_QUOTED_CHARS = 200;

/**
 * Peer-supplied text (a header value, a request path) as a quoted, escaped string of at most
 * 200 characters, so that what an attacker sends can neither flood nor forge log lines.
 */
export function quotePeerInput(text: string): string {
  const cut =
    text.length > MAX_QUOTED_CHARS ? text.slice(0, MAX_QUOTED_CHARS) : text;
  const quoted = JSON.stringify(cut).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text.length > MAX_QUOTED_CHARS
    ? `${quoted}... (${text.length} characters)`
    : quoted;
}
