import { createServer, type Server, type Socket } from 'node:net';

import { BindError } from './errors/bind.error.js';
import { WireError } from './errors/wire.error.js';
import { InboundBudget } from './inbound-budget.js';
import {
  InboundConnection,
  type InboundContext,
} from './inbound-connection.js';
import { TlsAcceptor } from './tls/tls-acceptor.js';
import type { TlsContext } from './tls/tls-context.js';
import type { WireLimits, WireNodeHandlers } from './wire.interfaces.js';

/** What inbound traffic holds right now (`WireNode.inboundStats`). */
export interface InboundStats {
  /** Open inbound connections. */
  connections: number;
  /**
   * Bytes of incomplete requests, unsent responses and what queued messages keep alive (what
   * `maxInboundBytes` bounds).
   */
  bufferedBytes: number;
  /**
   * Of those, what messages waiting in process queues and HTTP requests waiting for their
   * responses keep alive (see `maxQueuedInboundBytes`).
   */
  queuedBytes: number;
  /** Connections not being read (backpressure or shutdown). */
  notReading: number;
  /** How often the budget stopped reading a connection since the start. */
  budgetPauses: number;
}

/**
 * The receiving side of a node: the listener, the connections it accepted (one
 * {@link InboundConnection} each), the {@link InboundBudget} over what they hold together, and
 * one scan for all of them that closes requests that stall (`headerTimeoutMs`,
 * `bodyTimeoutMs`). With TLS on, accepted sockets pass a {@link TlsAcceptor} first.
 *
 * @internal
 */
export class InboundServer {
  private server: Server | null = null;
  private readonly connections = new Set<InboundConnection>();
  private readonly context: InboundContext;
  private readonly budget: InboundBudget;
  /** Connections that are not being read right now. */
  private notReading = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Resolves once the listener is closed (after {@link stop}). */
  private listenerClosed: Promise<void> = Promise.resolve();
  private tlsAcceptor: TlsAcceptor | null = null;

  constructor(
    private readonly limits: Readonly<WireLimits>,
    handlers: WireNodeHandlers,
    private readonly reportError: (error: Error, peer?: string) => void,
  ) {
    this.budget = new InboundBudget(limits.maxInboundBytes);
    this.context = {
      handlers,
      limits,
      budget: this.budget,
      reportError,
      onReadingChange: (stopped) => (this.notReading += stopped ? 1 : -1),
      onInboundClose: (connection) => this.connections.delete(connection),
    };
  }

  get stats(): InboundStats {
    let queuedBytes = 0;
    for (const connection of this.connections) {
      queuedBytes += connection.queuedBytes;
    }
    return {
      connections: this.connections.size,
      bufferedBytes: this.budget.heldBytes,
      queuedBytes,
      notReading: this.notReading,
      budgetPauses: this.budget.pauses,
    };
  }

  /** True once every connection handed every response produced so far to the kernel. */
  get answered(): boolean {
    for (const connection of this.connections) {
      if (!connection.answered) return false;
    }
    return true;
  }

  /** TLS on: accepted sockets are handshaken (and their certificates checked) before use. */
  useTls(context: TlsContext): void {
    this.tlsAcceptor = new TlsAcceptor(context, {
      onConnection: (socket) => this.serve(socket),
      onError: (error) => this.reportError(error),
    });
  }

  /**
   * Binds `ip:port`. Resolves with the port bound; rejects with a {@link BindError} (address
   * in use, not available, permission denied).
   */
  listen(ip: string, port: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const server = createServer({ noDelay: true }, (socket) =>
        this.accept(socket),
      );
      const { maxConnections } = this.limits;
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
        reject(BindError.fromListenError(ip, port, error));
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
        this.startStallScan();
        // stop() was called while binding: the node's close() waits for this.
        if (this.stopped) server.close();
        resolve(
          typeof bound === 'object' && bound !== null ? bound.port : port,
        );
      });
    });
  }

  /**
   * Stops taking new work: the listener stops accepting, handshakes in progress are dropped,
   * and no connection is read any more; requests already read are still delivered and
   * answered.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopStallScan();
    this.tlsAcceptor?.close();
    const server = this.server;
    if (server !== null) {
      this.listenerClosed = new Promise((resolve) =>
        server.close(() => resolve()),
      );
    }
    for (const connection of this.connections) connection.stopReading();
  }

  /** Ends every connection gracefully (what is ready is written, then FIN). */
  endAll(): Promise<void> {
    const closed: Promise<void>[] = [];
    for (const connection of this.connections) {
      closed.push(connection.whenClosed);
      connection.end();
    }
    return Promise.all(closed).then(() => undefined);
  }

  /** Destroys what is still open; resolves once the listener is closed too. */
  async destroyAll(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    await this.listenerClosed;
    this.connections.clear();
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    if (this.tlsAcceptor !== null) this.tlsAcceptor.accept(socket);
    else this.serve(socket);
  }

  private serve(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.connections.add(new InboundConnection(socket, this.context));
  }

  private startStallScan(): void {
    const { headerTimeoutMs, bodyTimeoutMs } = this.limits;
    const timeout = Math.min(
      ...[headerTimeoutMs, bodyTimeoutMs].filter(
        (ms) => ms > 0 && Number.isFinite(ms),
      ),
    );
    if (!Number.isFinite(timeout) || this.stopped) return;
    // One scan for all connections instead of a timer per request: precise to a tenth.
    this.stallTimer = setInterval(
      () => {
        const now = Date.now();
        for (const connection of this.connections) {
          connection.checkStall(now);
        }
      },
      Math.max(10, Math.min(1000, timeout / 10)),
    );
    this.stallTimer.unref();
  }

  private stopStallScan(): void {
    if (this.stallTimer !== null) {
      clearInterval(this.stallTimer);
      this.stallTimer = null;
    }
  }
}
