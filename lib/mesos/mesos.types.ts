/**
 * The Mesos message types, generated from `lib/mesos/proto/*.proto` by ts-proto (see
 * scripts/generate-mesos-types.mjs): field names in snake_case as decoded with `keepCase`, enums as
 * their value names, 64-bit integers as strings, bytes as Buffers.
 */
export * from './proto/generated/mesos.js';
export * from './proto/generated/mesos_internal.js';
export * from './proto/generated/mesos_scheduler.js';

/** Makes every field of a message optional, recursively: the input shape of calls that fill defaults. */
export type DeepPartial<T> = T extends
  Buffer | Uint8Array | string | number | boolean
  ? T
  : T extends Array<infer U>
    ? Array<DeepPartial<U>>
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;
