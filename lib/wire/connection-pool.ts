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

/** Why sends to an address fail fast for now. */
export interface ConnectBackoff {
  /** The error of the last failed attempt. */
  readonly error: Error;
  /** When sends may open a connection again (ms since the epoch). */
  readonly until: number;
  /** The current window (ms): doubles with every failed attempt. */
  readonly delay: number;
}

/** First back-off window after a failed connect, and its ceiling (ms). */
export const MIN_CONNECT_BACKOFF = 100;
export const MAX_CONNECT_BACKOFF = 5000;

/**
 * The node's outbound connections: one persistent {@link PeerConnection} per peer address,
 * opened on first use and forgotten once closed (the next use opens a new one).
 *
 * After a connection to an address fails before it was established, sends to that address
 * fail fast for a window that starts at 100 ms and doubles up to 5 s (reset by the next
 * successful connection), instead of opening a socket per send: a dead peer costs nothing.
 * Links are not held back: `link()` always tries at once, so that it fires 'exited' (or
 * 'linked') for that link promptly.
 */
export class ConnectionPool {
  private readonly connections = new Map<string, PeerConnection>();
  private readonly backoffs = new Map<string, ConnectBackoff>();
  private readonly listener: PeerConnectionListener;

  constructor(
    private readonly settings: ConnectionSettings,
    listener: PeerConnectionListener,
  ) {
    this.listener = {
      onPeerConnect: (connection) => {
        this.backoffs.delete(connection.address);
        listener.onPeerConnect(connection);
      },
      onPeerClose: (connection, error, lostBytes) => {
        if (this.connections.get(connection.address) === connection) {
          this.connections.delete(connection.address);
        }
        if (!connection.connected && error !== undefined) {
          this.backOff(connection.address, error);
        }
        listener.onPeerClose(connection, error, lostBytes);
      },
    };
  }

  /** The open connection to `to.address`, opened now if there is none (links). */
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

  /**
   * The connection a message to `to` goes out on; a {@link ConnectBackoff} instead while
   * connecting to that address failed recently.
   */
  connectionForSend(to: Upid): PeerConnection | ConnectBackoff {
    const connection = this.connections.get(to.address);
    if (connection !== undefined) return connection;
    const backoff = this.backoffs.get(to.address);
    if (backoff !== undefined && Date.now() < backoff.until) return backoff;
    return this.connectionTo(to);
  }

  /** The open connection to `address`, if any. */
  get(address: string): PeerConnection | undefined {
    return this.connections.get(address);
  }

  /** Every open connection. */
  all(): IterableIterator<PeerConnection> {
    return this.connections.values();
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
    this.backoffs.clear();
  }

  private backOff(address: string, error: Error): void {
    const now = Date.now();
    const previous = this.backoffs.get(address);
    // A window long past is forgotten: the next failure starts small again.
    const delay =
      previous === undefined || now - previous.until > MAX_CONNECT_BACKOFF
        ? MIN_CONNECT_BACKOFF
        : Math.min(previous.delay * 2, MAX_CONNECT_BACKOFF);
    this.backoffs.set(address, { error, until: now + delay, delay });
  }
}
