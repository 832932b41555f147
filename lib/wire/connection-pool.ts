import {
  PeerConnection,
  type PeerConnectionListener,
} from './peer-connection.js';
import type { OutboundDial } from './tls/tls-dialer.js';
import type { Upid } from './upid.js';

/** What every outbound connection of a node is opened with. */
export interface ConnectionSettings {
  readonly maxQueuedBytes: number;
  readonly connectTimeout: number;
  /** Opens the socket: plain TCP, or TLS when the node has it on. */
  readonly dial: OutboundDial;
}

/**
 * The node's outbound connections: one persistent {@link PeerConnection} per peer address,
 * opened on first use and forgotten once closed (the next use opens a new one).
 */
export class ConnectionPool {
  private readonly connections = new Map<string, PeerConnection>();

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly listener: PeerConnectionListener,
  ) {}

  /** The open connection to `to.address`, opened now if there is none. */
  connectionTo(to: Upid): PeerConnection {
    let connection = this.connections.get(to.address);
    if (connection === undefined) {
      connection = new PeerConnection(
        to.address,
        to.host,
        to.port,
        this.settings.maxQueuedBytes,
        this.settings.connectTimeout,
        this.listener,
        this.settings.dial,
      );
      this.connections.set(to.address, connection);
    }
    return connection;
  }

  /** The open connection to `address`, if any. */
  get(address: string): PeerConnection | undefined {
    return this.connections.get(address);
  }

  /** Drops a closed connection (unless another one replaced it already). */
  forget(connection: PeerConnection): void {
    if (this.connections.get(connection.address) === connection) {
      this.connections.delete(connection.address);
    }
  }

  /** Flushes and half-closes every connection; resolves once all are closed. */
  endAll(): Promise<void> {
    const closed: Promise<void>[] = [];
    for (const connection of this.connections.values()) {
      closed.push(connection.whenClosed);
      connection.end();
    }
    return Promise.all(closed).then(() => undefined);
  }

  /** Closes every connection at once; queued bytes are lost. */
  destroyAll(): void {
    for (const connection of [...this.connections.values()]) {
      connection.destroy();
    }
    this.connections.clear();
  }
}
