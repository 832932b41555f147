/**
 * Options of the `@Process()` class decorator.
 *
 * @publicApi
 */
export interface ProcessOptions {
  /**
   * Process id: the `id` of `id@host:port`. A provider is registered under exactly this id;
   * `ActorRef.spawn()` of an instance without an explicit id uses it as the base of a unique
   * `id(N)`. Letters, digits, `(`, `)`, `-`, `_` and `.`.
   */
  id: string;
}
