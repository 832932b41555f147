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
