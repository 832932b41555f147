import type { WireResponse } from '../wire/wire.interfaces.js';

/**
 * A full HTTP answer a `@Route()` handler can return. Any other value is sent with status 200:
 * a string as `text/plain`, a Buffer as `application/octet-stream`, `undefined` as an empty
 * body, anything else as JSON.
 *
 * @publicApi
 */
export class RouteResponse {
  constructor(
    readonly status: number,
    readonly body?: string | Buffer,
    readonly headers?: Record<string, string>,
  ) {}
}

/** The HTTP answer for what a route handler returned (see `RouteResponse`). */
export function toWireResponse(value: unknown): WireResponse {
  if (value instanceof RouteResponse) {
    return { status: value.status, headers: value.headers, body: value.body };
  }
  if (value === undefined) return { status: 200 };
  if (typeof value === 'string') {
    return {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: value,
    };
  }
  if (Buffer.isBuffer(value)) {
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: value,
    };
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  };
}
