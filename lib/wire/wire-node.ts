import { EventEmitter } from 'node:events';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';

import { BindError } from './errors/bind.error.js';
import { WireError } from './errors/wire.error.js';
import {
  InboundConnection,
  type InboundContext,
} from './inbound-connection.js';
import { isValidMessageName } from './message-encoder.js';
import {
  PeerConnection,
  type PeerConnectionListener,
} from './peer-connection.js';
import { Upid } from './upid.js';
import {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_SHUTDOWN_GRACE_PERIOD,
  DEFAULT_WIRE_IP,
  DEFAULT_WIRE_LIMITS,
  DEFAULT_WIRE_PORT,
  WIRE_ENV,
} from './wire.constants.js';
import type {
  WireLimits,
  WireNodeHandlers,
  WireNodeOptions,
} from './wire.interfaces.js';

const EMPTY_BODY = new Uint8Array(0);

/** A setting and where it came from, for error messages. */
interface Setting<T> {
  value: T;
  source: string;
}

/**
 * Events of a {@link WireNode}.
 *
 * @publicApi
 */
export interface WireNodeEvents {
  /** The socket carrying the link `from -> to` is connected. */
  linked: [from: Upid, to: Upid];
  /** The socket carrying the link closed, errored or could not connect (once per link). */
  exited: [from: Upid, to: Upid];
  /** A dropped message, a failed connection or a misbehaving inbound peer. */
  error: [error: Error];
}

/**
 * A libprocess node on the wire: the listener that receives messages and HTTP requests, a pool
 * of persistent outbound connections (one per peer address) and the links that watch them.
 *
 * It knows nothing about processes: inbound traffic goes to {@link WireNodeHandlers}, and
 * local delivery is the caller's job. `send` never throws; failures are reported as 'error'
 * events carrying a {@link WireError} (emitted only when an 'error' listener is attached, so an
 * unobserved failure can never crash the process).
 *
 * @publicApi
 */
export class WireNode extends EventEmitter<WireNodeEvents> {
  private readonly limits: WireLimits;
  private readonly gracePeriod: number;
  private readonly connectTimeout: number;
  private readonly bindIp: Setting<string>;
  private readonly bindPort: Setting<number>;
  private readonly advertiseIp: Setting<string> | undefined;
  private readonly advertisePort: Setting<number> | undefined;

  private server: Server | null = null;
  private listenPromise: Promise<void> | null = null;
  private advertised: { ip: string; port: number } | null = null;
  private closePromise: Promise<void> | null = null;

  private readonly peers = new Map<string, PeerConnection>();
  private readonly inbound = new Set<InboundConnection>();
  /** from -> (to -> the connection carrying the link). */
  private readonly linksByFrom = new Map<
    string,
    Map<string, { to: Upid; connection: PeerConnection }>
  >();

  private readonly peerListener: PeerConnectionListener = {
    onPeerConnect: (connection) => this.announceLinks(connection),
    onPeerClose: (connection, error, lostBytes) =>
      this.peerClosed(connection, error, lostBytes),
  };
  private readonly inboundContext: InboundContext;

  constructor(
    options: WireNodeOptions,
    private readonly handlers: WireNodeHandlers,
  ) {
    super();
    this.limits = { ...DEFAULT_WIRE_LIMITS, ...definedOnly(options.limits) };
    this.gracePeriod =
      options.shutdownGracePeriod ?? DEFAULT_SHUTDOWN_GRACE_PERIOD;
    this.connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
    // Timers clamp larger values to 1 ms.
    if (!(this.connectTimeout > 0 && this.connectTimeout <= 0x7fffffff)) {
      throw new RangeError(
        `Invalid connectTimeout ${String(options.connectTimeout)}: expected a positive number of milliseconds`,
      );
    }
    this.bindIp = setting(options, 'ip', String) ?? {
      value: DEFAULT_WIRE_IP,
      source: 'default',
    };
    this.bindPort = setting(options, 'port', Number) ?? {
      value: DEFAULT_WIRE_PORT,
      source: 'default',
    };
    this.advertiseIp = setting(options, 'advertiseIp', String);
    this.advertisePort = setting(options, 'advertisePort', Number);
    this.inboundContext = {
      handlers: this.handlers,
      limits: this.limits,
      reportError: (error) => this.reportError(error),
      onInboundClose: (connection) => this.inbound.delete(connection),
    };
  }

  /** True between a successful `listen()` and `close()`. */
  get listening(): boolean {
    return this.advertised !== null && this.closePromise === null;
  }

  /**
   * The advertised address (what PIDs of this node carry).
   *
   * @throws WireError before `listen()` resolved.
   */
  get address(): { ip: string; port: number } {
    if (this.advertised === null) {
      throw new WireError('The WireNode is not listening yet', 'ENOTLISTENING');
    }
    return this.advertised;
  }

  /** The PID of process `id` on this node. */
  pid(id: string): Upid {
    const { ip, port } = this.address;
    return new Upid(id, ip, port);
  }

  /**
   * Binds the listener. Rejects with a {@link BindError} naming the address and the setting it
   * came from (address in use, bad address, bad port).
   */
  listen(): Promise<void> {
    if (this.closePromise !== null) {
      return Promise.reject(new WireError('The WireNode is closed', 'ECLOSED'));
    }
    return (this.listenPromise ??= this.bind());
  }

  private bind(): Promise<void> {
    const { value: ip, source: ipSource } = this.bindIp;
    const { value: port, source: portSource } = this.bindPort;
    if (isIP(ip) === 0) {
      return Promise.reject(
        new BindError(
          `Cannot listen on ${JSON.stringify(ip)} (${ipSource}): not an IPv4 or IPv6 address`,
          'EINVAL',
          ip,
          port,
        ),
      );
    }
    if (!isPort(port)) {
      return Promise.reject(
        new BindError(
          `Cannot listen on port ${JSON.stringify(String(port))} (${portSource}): expected an integer 0-65535`,
          'EINVAL',
          ip,
          port,
        ),
      );
    }
    const advertisePort = this.advertisePort;
    if (advertisePort !== undefined && !isPort(advertisePort.value)) {
      return Promise.reject(
        new BindError(
          `Invalid advertised port ${JSON.stringify(String(advertisePort.value))} (${advertisePort.source}): expected an integer 0-65535`,
          'EINVAL',
          ip,
          port,
        ),
      );
    }
    const advertiseIp = this.advertiseIp?.value ?? defaultAdvertiseIp(ip);
    try {
      // Validates the advertised host the way every PID of this node will carry it.
      new Upid('probe', advertiseIp, 0);
    } catch {
      return Promise.reject(
        new BindError(
          `Invalid advertised address ${JSON.stringify(advertiseIp)} (${this.advertiseIp?.source}): expected an IP address or hostname`,
          'EINVAL',
          ip,
          port,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) =>
        this.accept(socket),
      );
      this.server = server;
      const onError = (error: NodeJS.ErrnoException) => {
        this.server = null;
        this.listenPromise = null;
        reject(
          new BindError(
            `Cannot listen on ${formatAddress(ip, port)}: ${describeBindError(error)}`,
            error.code ?? 'EBIND',
            ip,
            port,
            { cause: error },
          ),
        );
      };
      server.once('error', onError);
      server.listen({ host: ip, port }, () => {
        server.off('error', onError);
        // Errors after binding (e.g. EMFILE while accepting) must not crash the process.
        server.on('error', (error) =>
          this.reportError(
            new WireError(
              `Listener error: ${error.message}`,
              'ELISTENER',
              undefined,
              {
                cause: error,
              },
            ),
          ),
        );
        const bound = server.address();
        const boundPort =
          typeof bound === 'object' && bound !== null ? bound.port : port;
        this.advertised = {
          ip: advertiseIp,
          port: advertisePort?.value ?? boundPort,
        };
        if (this.closePromise !== null) {
          // close() was called while binding: it is waiting for this server to close.
          server.close();
        }
        resolve();
      });
    });
  }

  /**
   * Sends message `name` from `from` to the remote process `to`. Never throws: a message that
   * cannot be queued (node closed, invalid name, peer not reading past the byte limit) is
   * dropped and reported as an 'error' event. `body` must not be modified afterwards.
   */
  send(from: Upid, to: Upid, name: string, body?: Uint8Array | string): void {
    try {
      if (this.closePromise !== null) {
        this.reportError(
          new WireError(
            `Dropped message ${JSON.stringify(name)} to ${to}: the node is closed`,
            'ECLOSED',
            to.address,
          ),
        );
        return;
      }
      if (!isValidMessageName(name)) {
        this.reportError(
          new WireError(
            `Dropped message to ${to}: invalid name ${JSON.stringify(name)} (printable ASCII without spaces)`,
            'EINVAL',
            to.address,
          ),
        );
        return;
      }
      const bytes =
        body === undefined
          ? EMPTY_BODY
          : typeof body === 'string'
            ? Buffer.from(body, 'utf8')
            : body;
      const connection = this.connection(to);
      if (!connection.send(from, to, name, bytes)) {
        this.reportError(
          new WireError(
            `Dropped message ${JSON.stringify(name)} to ${to}: more than ` +
              `${this.limits.maxQueuedBytesPerPeer} bytes are queued for ${to.address} (the peer is not reading)`,
            'EQUEUEFULL',
            to.address,
          ),
        );
      }
    } catch (error) {
      this.reportError(
        new WireError(
          `Dropped message ${JSON.stringify(name)} to ${String(to)}: ${(error as Error)?.message}`,
          'ESEND',
          to instanceof Upid ? to.address : undefined,
          { cause: error },
        ),
      );
    }
  }

  /**
   * Watches `to` on behalf of `from`: opens (or reuses) the persistent connection to
   * `to.address`. 'linked' follows once it is connected; 'exited' fires exactly once when it
   * closes, errors or cannot be opened. Linking again after 'exited' opens a new connection.
   */
  link(from: Upid, to: Upid): void {
    if (this.closePromise !== null) return;
    const fromKey = from.toString();
    const toKey = to.toString();
    let links = this.linksByFrom.get(fromKey);
    if (links?.has(toKey)) return;
    const connection = this.connection(to);
    if (links === undefined) {
      links = new Map();
      this.linksByFrom.set(fromKey, links);
    }
    links.set(toKey, { to, connection });
    connection.links.set(linkKey(fromKey, toKey), {
      from,
      to,
      announced: false,
    });
    if (connection.connected) {
      // Asynchronous like the not-yet-connected case, so callers see one behaviour.
      process.nextTick(() => this.announceLinks(connection));
    }
  }

  /** Forgets the link `from -> to` (no 'exited' for it any more); the connection stays. */
  unlink(from: Upid, to: Upid): void {
    const fromKey = from.toString();
    const toKey = to.toString();
    const links = this.linksByFrom.get(fromKey);
    const link = links?.get(toKey);
    if (link === undefined) return;
    links!.delete(toKey);
    if (links!.size === 0) this.linksByFrom.delete(fromKey);
    link.connection.links.delete(linkKey(fromKey, toKey));
  }

  /** The processes `from` is linked to. */
  linksOf(from: Upid): Upid[] {
    const links = this.linksByFrom.get(from.toString());
    return links === undefined
      ? []
      : Array.from(links.values(), (link) => link.to);
  }

  /**
   * Stops accepting, flushes queued writes and closes every socket gracefully, destroying
   * whatever is still open after the grace period. Idempotent; no 'exited' events fire for the
   * node's own shutdown. Afterwards the node holds no handle that keeps Node running.
   */
  close(): Promise<void> {
    return (this.closePromise ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    const serverClosed = new Promise<void>((resolve) => {
      if (server === null) resolve();
      else server.close(() => resolve());
    });
    this.linksByFrom.clear();
    const pending: Promise<void>[] = [];
    for (const connection of this.peers.values()) {
      connection.links.clear();
      pending.push(connection.whenClosed);
      connection.end();
    }
    for (const connection of this.inbound) {
      pending.push(connection.whenClosed);
      connection.end();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, this.gracePeriod)),
      ),
    ]);
    clearTimeout(timer);
    for (const connection of this.peers.values()) connection.destroy();
    for (const connection of this.inbound) connection.destroy();
    await serverClosed;
    this.peers.clear();
    this.inbound.clear();
  }

  private connection(to: Upid): PeerConnection {
    let connection = this.peers.get(to.address);
    if (connection === undefined) {
      connection = new PeerConnection(
        to.address,
        to.host,
        to.port,
        this.limits.maxQueuedBytesPerPeer,
        this.connectTimeout,
        this.peerListener,
      );
      this.peers.set(to.address, connection);
    }
    return connection;
  }

  private accept(socket: Socket): void {
    if (this.closePromise !== null) {
      socket.destroy();
      return;
    }
    this.inbound.add(new InboundConnection(socket, this.inboundContext));
  }

  private announceLinks(connection: PeerConnection): void {
    if (this.closePromise !== null || connection.closed) return;
    for (const link of connection.links.values()) {
      if (!link.announced) {
        link.announced = true;
        this.notify('linked', link.from, link.to);
      }
    }
  }

  private peerClosed(
    connection: PeerConnection,
    error: Error | undefined,
    lostBytes: number,
  ): void {
    if (this.peers.get(connection.address) === connection) {
      this.peers.delete(connection.address);
    }
    if (this.closePromise !== null) return;
    const links = [...connection.links.values()];
    connection.links.clear();
    if (lostBytes > 0 || (error !== undefined && links.length === 0)) {
      const code =
        (error as NodeJS.ErrnoException | undefined)?.code ?? 'ECONNCLOSED';
      this.reportError(
        new WireError(
          `Connection to ${connection.address} ${error ? `failed: ${error.message}` : 'closed by the peer'}` +
            (lostBytes > 0 ? `; ${lostBytes} queued bytes dropped` : ''),
          code,
          connection.address,
          { cause: error },
        ),
      );
    }
    for (const link of links) {
      const fromKey = link.from.toString();
      const fromLinks = this.linksByFrom.get(fromKey);
      fromLinks?.delete(link.to.toString());
      if (fromLinks?.size === 0) this.linksByFrom.delete(fromKey);
      this.notify('exited', link.from, link.to);
    }
  }

  /**
   * Emits from inside socket callbacks: a listener that throws must not escape into Node's
   * event loop (that would crash the process), so its failure becomes an 'error' event.
   */
  private notify(event: 'linked' | 'exited', from: Upid, to: Upid): void {
    try {
      this.emit(event, from, to);
    } catch (error) {
      this.reportError(
        new WireError(
          `A '${event}' listener threw for ${from} -> ${to}: ${(error as Error)?.message}`,
          'ELISTENER',
          to.address,
          { cause: error },
        ),
      );
    }
  }

  private reportError(error: Error): void {
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error);
    } catch {
      // An 'error' listener that throws has nobody left to tell.
    }
  }
}

function linkKey(fromKey: string, toKey: string): string {
  return `${fromKey} ${toKey}`;
}

/** An explicit option, else its LIBPROCESS_* environment variable, with where it came from. */
function setting<T>(
  options: WireNodeOptions,
  key: keyof typeof WIRE_ENV,
  convert: (text: string) => T,
): Setting<T> | undefined {
  const option = options[key] as T | undefined;
  if (option !== undefined) return { value: option, source: `${key} option` };
  const text = process.env[WIRE_ENV[key]]?.trim();
  return text ? { value: convert(text), source: WIRE_ENV[key] } : undefined;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

function formatAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function describeBindError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'EACCES':
      return 'permission denied';
    default:
      return error.message;
  }
}

/**
 * A wildcard bind address cannot be advertised: use the first external IPv4 address (what
 * C++ libprocess derives from the hostname), else loopback.
 */
function defaultAdvertiseIp(bindIp: string): string {
  if (bindIp !== '0.0.0.0' && bindIp !== '::') return bindIp;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal)
        return address.address;
    }
  }
  return DEFAULT_WIRE_IP;
}
