import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';

import { BindError } from './errors/bind.error.js';
import { WireError } from './errors/wire.error.js';
import { ConnectionPool } from './connection-pool.js';
import { InboundBudget } from './inbound-budget.js';
import {
  InboundConnection,
  type InboundContext,
} from './inbound-connection.js';
import { LinkTable } from './link-table.js';
import { LogCoalescer, withRepeats } from './log-coalescer.js';
import { isValidMessageName } from './message-encoder.js';
import {
  PeerConnection,
  type PeerConnectionListener,
} from './peer-connection.js';
import { TlsAcceptor } from './tls/tls-acceptor.js';
import { loadTlsContext } from './tls/tls-context.js';
import { dialPlain, tlsDialer, type OutboundDial } from './tls/tls-dialer.js';
import { isTlsFailure } from './tls/tls-errors.js';
import { resolveTlsSettings } from './tls/tls-settings.js';
import { Upid } from './upid.js';
import type { WireNodeHandlers, WireNodeOptions } from './wire.interfaces.js';
import {
  resolveWireAddresses,
  resolveWireNodeOptions,
  type ResolvedWireNodeOptions,
} from './wire-node.options.js';
import { EMPTY_BODY, formatHostPort } from './wire.utils.js';

// How long close() waits for the first answer of a peer that has not answered yet.
const SILENT_PEER_WAIT = 250;

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
  private readonly options: ResolvedWireNodeOptions;
  private server: Server | null = null;
  private listenPromise: Promise<void> | null = null;
  private advertised: { ip: string; port: number } | null = null;
  private closePromise: Promise<void> | null = null;

  private readonly links = new LinkTable();
  private readonly connections: ConnectionPool;
  private readonly inbound = new Set<InboundConnection>();
  private readonly inboundContext: InboundContext;
  /** Repeated errors of one kind (code and peer) become one summary per interval. */
  private readonly errors: LogCoalescer<WireError>;
  /** Scans inbound connections for requests that stall (`headerTimeoutMs`, `bodyTimeoutMs`). */
  private stallTimer: NodeJS.Timeout | null = null;
  private inboundStopped = false;
  private readonly budget: InboundBudget;
  /** Inbound connections that are not being read right now. */
  private notReading = 0;
  /** Resolves once the listener is closed (after {@link stopInbound}). */
  private serverClosed: Promise<void> = Promise.resolve();
  /** Set by `listen()` when TLS is on: the listener's handshakes, and TLS dialing. */
  private tlsAcceptor: TlsAcceptor | null = null;
  private dial: OutboundDial = dialPlain;

  constructor(
    private readonly wireOptions: WireNodeOptions,
    private readonly handlers: WireNodeHandlers,
  ) {
    super();
    this.options = resolveWireNodeOptions(wireOptions, process.env);
    const peerListener: PeerConnectionListener = {
      onPeerConnect: (connection) => this.announceLinks(connection),
      onPeerClose: (connection, error, lostBytes) =>
        this.peerClosed(connection, error, lostBytes),
    };
    this.connections = new ConnectionPool(
      {
        maxQueuedBytes: this.options.limits.maxQueuedBytesPerPeer,
        connectTimeout: this.options.connectTimeout,
        dial: (host, port, handlers) => this.dial(host, port, handlers),
      },
      peerListener,
    );
    this.inboundContext = {
      handlers: this.handlers,
      limits: this.options.limits,
      budget: (this.budget = new InboundBudget(
        this.options.limits.maxInboundBytes,
      )),
      reportError: (error, peer) => this.reportError(error, peer),
      onReadingChange: (stopped) => (this.notReading += stopped ? 1 : -1),
      onInboundClose: (connection) => this.inbound.delete(connection),
    };
    const interval = this.options.errorIntervalMs;
    this.errors = new LogCoalescer<WireError>(interval, (error, repeats) =>
      this.emitError(
        repeats === 0
          ? error
          : new WireError(
              withRepeats(error.message, repeats, interval),
              error.code,
              error.address,
              { cause: error.cause, count: repeats },
            ),
      ),
    );
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

  /**
   * What inbound traffic holds right now: open connections, bytes of incomplete requests and
   * unsent responses (what `limits.maxInboundBytes` bounds), connections not being read
   * (backpressure or shutdown), and how often the budget stopped one since the start.
   */
  get inboundStats(): {
    connections: number;
    bufferedBytes: number;
    notReading: number;
    budgetPauses: number;
  } {
    return {
      connections: this.inbound.size,
      bufferedBytes: this.budget.heldBytes,
      notReading: this.notReading,
      budgetPauses: this.budget.pauses,
    };
  }

  /** Outbound connections to peer nodes (connected or connecting): one per peer address. */
  get outboundStats(): { connections: number; connected: number } {
    let connections = 0;
    let connected = 0;
    for (const connection of this.connections.all()) {
      connections++;
      if (connection.connected) connected++;
    }
    return { connections, connected };
  }

  /** The PID of process `id` on this node. */
  pid(id: string): Upid {
    const { ip, port } = this.address;
    return new Upid(id, ip, port);
  }

  /**
   * Binds the listener. Rejects with a {@link BindError} naming the address and the setting it
   * came from (address in use, bad address, bad port), or a `TlsConfigError` naming the TLS
   * variable or option to fix (missing file, key not matching the certificate, bad value).
   */
  listen(): Promise<void> {
    if (this.closePromise !== null) {
      return Promise.reject(new WireError('The WireNode is closed', 'ECLOSED'));
    }
    return (this.listenPromise ??= this.bind());
  }

  private bind(): Promise<void> {
    const addresses = resolveWireAddresses(this.options, networkInterfaces());
    if (addresses instanceof BindError) return Promise.reject(addresses);
    try {
      this.setUpTls();
    } catch (error) {
      this.listenPromise = null;
      return Promise.reject(error);
    }
    const { bindIp: ip, bindPort: port } = addresses;
    return new Promise<void>((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) =>
        this.accept(socket),
      );
      const { maxConnections } = this.options.limits;
      if (Number.isFinite(maxConnections)) {
        server.maxConnections = maxConnections;
        server.on('drop', (dropped) =>
          this.reportError(
            new WireError(
              `Refused a connection from ${dropped?.remoteAddress ?? 'unknown'}: ${maxConnections} inbound connections are open (limits.maxConnections)`,
              'EMAXCONN',
            ),
          ),
        );
      }
      this.server = server;
      const onError = (error: NodeJS.ErrnoException) => {
        this.server = null;
        this.listenPromise = null;
        reject(
          new BindError(
            `Cannot listen on ${formatHostPort(ip, port)}: ${describeBindError(error)}`,
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
              { cause: error },
            ),
          ),
        );
        const bound = server.address();
        const boundPort =
          typeof bound === 'object' && bound !== null ? bound.port : port;
        this.advertised = {
          ip: addresses.advertiseIp,
          port: addresses.advertisePort ?? boundPort,
        };
        this.startStallTimer();
        if (this.inboundStopped) {
          // stopInbound() or close() was called while binding: close() waits for this.
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
      const connection = this.connections.connectionForSend(to);
      if (!(connection instanceof PeerConnection)) {
        const { error, until } = connection;
        this.reportError(
          new WireError(
            `Dropped message ${JSON.stringify(name)} to ${to}: ${to.address} is unreachable (${error.message}); ` +
              `next connection attempt in ${Math.max(0, until - Date.now())} ms`,
            (error as NodeJS.ErrnoException).code ?? 'ECONNREFUSED',
            to.address,
            { cause: error },
          ),
        );
        return;
      }
      if (!connection.send(from, to, name, bytes)) {
        this.reportError(
          new WireError(
            `Dropped message ${JSON.stringify(name)} to ${to}: more than ` +
              `${this.options.limits.maxQueuedBytesPerPeer} bytes are queued for ${to.address} (the peer is not reading)`,
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
    if (this.links.add(from, to) === undefined) return;
    const connection = this.connections.connectionTo(to);
    if (connection.connected) {
      // Asynchronous like the not-yet-connected case, so callers see one behaviour.
      process.nextTick(() => this.announceLinks(connection));
    }
  }

  /** Forgets the link `from -> to` (no 'exited' for it any more); the connection stays. */
  unlink(from: Upid, to: Upid): void {
    this.links.remove(from, to);
  }

  /** The processes `from` is linked to. */
  linksOf(from: Upid): Upid[] {
    return this.links.linksOf(from);
  }

  /**
   * Stops taking new work: the listener stops accepting and no inbound connection is read
   * any more; requests already read are still delivered and answered, and sends keep
   * working. The first step of a shutdown (`close()` does it too): a runtime calls it before
   * it drains its processes, so that nothing new arrives meanwhile.
   */
  stopInbound(): void {
    if (this.inboundStopped) return;
    this.inboundStopped = true;
    this.stopStallTimer();
    const server = this.server;
    if (server !== null) {
      this.serverClosed = new Promise((resolve) =>
        server.close(() => resolve()),
      );
    }
    for (const connection of this.inbound) connection.stopReading();
  }

  /**
   * Shuts the node down within `shutdownGracePeriod` (or `gracePeriod` ms when given): stops
   * taking new work ({@link stopInbound}), answers the requests already read, flushes queued
   * messages and waits until their peers have answered each (so that a peer reads everything
   * before it sees the connection close), then closes every socket gracefully and destroys
   * whatever is still open when the time is up. Idempotent; no 'exited' events fire for the
   * node's own shutdown. Afterwards the node holds no handle that keeps Node running.
   */
  close(gracePeriod?: number): Promise<void> {
    return (this.closePromise ??= this.shutdown(
      Date.now() + (gracePeriod ?? this.options.shutdownGracePeriod),
    ));
  }

  private async shutdown(deadline: number): Promise<void> {
    this.stopInbound();
    this.tlsAcceptor?.close();
    this.links.clear();
    for (const connection of this.connections.all()) connection.flush();
    // Answered: every response written, every message written acknowledged by its peer (a
    // peer that has never answered gets a short while to show that it does).
    const silentUntil = Date.now() + SILENT_PEER_WAIT;
    await waitUntil(deadline, () => {
      for (const connection of this.inbound) {
        if (!connection.answered) return false;
      }
      const now = Date.now();
      for (const connection of this.connections.all()) {
        if (
          connection.unansweredMessages > 0 &&
          (connection.hasAnswered || now < silentUntil)
        ) {
          return false;
        }
      }
      return true;
    });
    const closed: Promise<unknown>[] = [this.connections.endAll()];
    for (const connection of this.inbound) {
      closed.push(connection.whenClosed);
      connection.end();
    }
    await raceDeadline(Promise.all(closed), deadline);
    this.connections.destroyAll();
    for (const connection of this.inbound) connection.destroy();
    await this.serverClosed;
    this.inbound.clear();
    this.errors.flush();
  }

  /**
   * Resolves the `ssl` option and `LIBPROCESS_SSL_*`; with TLS on, loads the certificates and
   * switches the listener and the dialing to TLS. libprocess logs its configuration warnings;
   * they go to Node's warning channel here (`process.on('warning')`, printed on stderr).
   */
  private setUpTls(): void {
    const { settings, warnings } = resolveTlsSettings(
      this.wireOptions.ssl,
      process.env,
    );
    if (!settings.enabled) return;
    const context = loadTlsContext(settings);
    for (const warning of [...warnings, ...context.warnings]) {
      process.emitWarning(warning, 'LibprocessTlsWarning');
    }
    this.tlsAcceptor = new TlsAcceptor(context, {
      onConnection: (socket) => this.serve(socket),
      onError: (error) => this.reportError(error),
    });
    this.dial = tlsDialer(context);
  }

  private accept(socket: Socket): void {
    if (this.inboundStopped) {
      socket.destroy();
      return;
    }
    if (this.tlsAcceptor !== null) this.tlsAcceptor.accept(socket);
    else this.serve(socket);
  }

  private serve(socket: Socket): void {
    if (this.inboundStopped) {
      socket.destroy();
      return;
    }
    this.inbound.add(new InboundConnection(socket, this.inboundContext));
  }

  private startStallTimer(): void {
    const { headerTimeoutMs, bodyTimeoutMs } = this.options.limits;
    const timeout = Math.min(
      ...[headerTimeoutMs, bodyTimeoutMs].filter(
        (ms) => ms > 0 && Number.isFinite(ms),
      ),
    );
    if (!Number.isFinite(timeout) || this.inboundStopped) return;
    // One scan for all connections instead of a timer per request: precise to a tenth.
    this.stallTimer = setInterval(
      () => {
        const now = Date.now();
        for (const connection of this.inbound) connection.checkStall(now);
      },
      Math.max(10, Math.min(1000, timeout / 10)),
    );
    this.stallTimer.unref();
  }

  private stopStallTimer(): void {
    if (this.stallTimer !== null) {
      clearInterval(this.stallTimer);
      this.stallTimer = null;
    }
  }

  private announceLinks(connection: PeerConnection): void {
    if (this.closePromise !== null || connection.closed) return;
    for (const link of this.links.at(connection.address)) {
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
    if (this.closePromise !== null) return;
    const links = this.links.takeAt(connection.address);
    // A failed TLS handshake or verification is a configuration mismatch: always reported.
    if (
      lostBytes > 0 ||
      (error !== undefined && (links.length === 0 || isTlsFailure(error)))
    ) {
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
    for (const link of links) this.notify('exited', link.from, link.to);
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

  /**
   * Reports through the coalescer: repeated errors of one kind become one summary. `peer`
   * names the source for the kind: by default the error's address; inbound errors pass the
   * remote host alone (a client's connections differ only in their port).
   */
  private reportError(error: Error, peer?: string): void {
    if (!(error instanceof WireError)) {
      this.emitError(error);
      return;
    }
    const key = `${error.code} ${peer ?? error.address ?? ''}`;
    this.errors.add(key, error, error.count, error.code);
  }

  private emitError(error: Error): void {
    if (this.listenerCount('error') === 0) return;
    try {
      this.emit('error', error);
    } catch {
      // An 'error' listener that throws has nobody left to tell.
    }
  }
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

/** Resolves once `done()` holds (checked every few ms) or at `deadline`, whichever is first. */
async function waitUntil(deadline: number, done: () => boolean): Promise<void> {
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5, left)));
  }
}

/** Resolves when `promise` settles or at `deadline`, whichever is first. */
async function raceDeadline(
  promise: Promise<unknown>,
  deadline: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise<void>(
      (resolve) =>
        (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))),
    ),
  ]);
  clearTimeout(timer);
}
