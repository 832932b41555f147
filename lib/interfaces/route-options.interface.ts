/**
 * Options of the `@Route()` method decorator.
 *
 * @publicApi
 */
export interface RouteOptions {
  /** HTTP methods served (default `['GET', 'POST']`). */
  methods?: string[];
}
