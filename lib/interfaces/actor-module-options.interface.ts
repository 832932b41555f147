export type { ActorProtobufOptions } from './actor-protobuf-options.interface.js';
import type { ActorProtobufOptions } from './actor-protobuf-options.interface.js';
import type { TlsOptions } from '../wire/tls/tls-options.interface.js';
import type { WireLimits } from '../wire/wire.interfaces.js';

/**
 * Options of `ActorModule.forRoot()` / `forRootAsync()`. Unset address fields fall back to
 * `LIBPROCESS_IP`, `LIBPROCESS_PORT`, `LIBPROCESS_ADVERTISE_IP` and `LIBPROCESS_ADVERTISE_PORT`.
 *
 * @publicApi
 */
export interface ActorModuleOptions {
  /** Address to bind (default `127.0.0.1`, or `LIBPROCESS_IP`). */
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
   * it drops what is left (default 2000).
   */
  shutdownGracePeriod?: number;
  /**
   * Milliseconds an outbound connection may take to be established (default 10000); then
   * its links get `exited` and its queued messages are dropped with an 'error' event.
   */
  connectTimeout?: number;
  /**
   * Id of the process that receives what names no process of this node, as libprocess'
   * `process::initialize(delegate)` and compactor's `Context(delegate=...)`: an HTTP request
   * whose first path segment is not a process id is served by the delegate's routes with
   * the path `/<delegate><original path>` (so `GET /state` reaches its `@Route('state')`),
   * and a message `<name>` to no process `<id>` reaches its mailbox `<id>/<name>`.
   */
  delegate?: string;
  /**
   * TLS for every libprocess connection, as C++ libprocess built with SSL does. Each field
   * mirrors a `LIBPROCESS_SSL_*` variable; unset fields fall back to it (explicit options win).
   * Off unless `enabled: true` or `LIBPROCESS_SSL_ENABLED=true`.
   */
  ssl?: TlsOptions;
}

/**
 * A class that `ActorModule.forRootAsync({ useClass })` (or `useExisting`) instantiates to get
 * the options, as `TypeOrmOptionsFactory` and the other first-party modules' factories.
 *
 * @publicApi
 */
export interface ActorOptionsFactory {
  createActorOptions(): ActorModuleOptions | Promise<ActorModuleOptions>;
}
