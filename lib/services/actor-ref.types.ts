/**
 * A message body: bytes, or a string sent as UTF-8.
 *
 * @publicApi
 */
export type MessageBody = Buffer | Uint8Array | string;

/** The names of the methods of `T` (what `dispatch`, `delay` and `periodic` may call). */
export type MethodKeys<T> = {
  [K in keyof T]: T[K] extends (...args: any[]) => any ? K : never;
}[keyof T] &
  string;

/** The type of method `K` of `T`. */
export type MethodOf<T, K extends keyof T> = T[K] extends (
  ...args: any[]
) => any
  ? T[K]
  : never;

/**
 * An instance with a method `K` that takes `A`: how `dispatch(this, 'method', ...args)` is
 * checked inside the class, where `this` is a type TypeScript cannot look methods up on.
 */
export type WithMethod<K extends string, A extends unknown[]> = Record<
  NoInfer<K>,
  (...args: A) => unknown
>;
