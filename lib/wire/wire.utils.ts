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
