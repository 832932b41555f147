import type { IConversionOptions, Root } from 'protobufjs';

import type { TlsOptions } from '../wire/tls/tls-options.interface.js';
import type { WireLimits } from '../wire/wire.interfaces.js';

/**
 * Where the protobuf message types used by `@ProtobufMailbox()` and `ActorRef.sendProto()`
 * come from.
 *
 * @publicApi
 */
export interface ActorProtobufOptions {
  /** A protobufjs root that already holds the types. */
  root?: Root;
  /** `.proto` files loaded (field names kept as written) into the root at startup. */
  files?: string[];
  /**
   * How decoded messages are turned into the plain objects handlers receive.
   * Default `{ longs: String, enums: String, bytes: Buffer }`.
   */
  conversion?: IConversionOptions;
}

/**
 * Options of `ActorModule.forRoot()` / `forRootAsync()`. Unset address fields fall back to
 * `LIBPROCESS_IP`, `LIBPROCESS_PORT`, `LIBPROCESS_ADVERTISE_IP` and `LIBPROCESS_ADVERTISE_PORT`.
 *
 * @publicApi
 */
export interface ActorModuleOptions {
  /** Address to bind (default `0.0.0.0`, or `LIBPROCESS_IP`). */
  ip?: string;
  /** Port to bind; `0` picks a free one (default, or `LIBPROCESS_PORT`). */
  port?: number;
  /** Address other nodes should use to reach this one (in every pid this node sends). */
  advertiseIp?: string;
  advertisePort?: number;
  /** Limits that protect the node from misbehaving peers. */
  limits?: Partial<WireLimits>;
  protobuf?: ActorProtobufOptions;
  /**
   * Milliseconds `close()` lets process queues drain and outbound sockets flush before
   * it drops what is left (default 5000).
   */
  shutdownGracePeriod?: number;
  /**
   * TLS for every libprocess connection, as C++ libprocess built with SSL does. Each field
   * mirrors a `LIBPROCESS_SSL_*` variable; unset fields fall back to it (explicit options win).
   * Off unless `enabled: true` or `LIBPROCESS_SSL_ENABLED=true`.
   */
  ssl?: TlsOptions;
}
