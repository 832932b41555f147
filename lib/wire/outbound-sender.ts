import { WireError } from './errors/wire.error.js';
import { ConnectionPool } from './connection-pool.js';
import { LinkTable } from './link-table.js';
import { isValidMessageName } from './message-encoder.js';
import { PeerConnection } from './peer-connection.js';
import { dialPlain, tlsDialer, type OutboundDial } from './tls/tls-dialer.js';
import type { TlsContext } from './tls/tls-context.js';
import { isTlsFailure } from './tls/tls-errors.js';
import { Upid } from './upid.js';
import { EMPTY_BODY } from './wire.utils.js';

/** What an {@link OutboundSender} tells its node. */
export interface OutboundEvents {
  /** The connection carrying the link `from -> to` is up. */
  linked(from: Upid, to: Upid): void;
  /** The connection carrying the link closed, failed or could not be opened (once per link). */
  exited(from: Upid, to: Upid): void;
  /** A dropped message or a failed connection. */
  reportError(error: Error): void;
}

/** What every outbound connection is opened with. */
export interface OutboundSettings {
  readonly maxQueuedBytesPerPeer: number;
  readonly connectTimeout: number;
}

/**
 * The sending side of a node: messages go out on the {@link ConnectionPool} (one persistent
 * connection per peer address), and links watch those connections ({@link LinkTable}):
 * 'linked' once a link's connection is up, 'exited' exactly once per link when it closes,
 * fails or cannot be opened. A message that cannot be queued is dropped and reported, never
 * thrown.
 *
 * @internal
 */
export class OutboundSender {
  private readonly links = new LinkTable();
  private readonly connections: ConnectionPool;
  /** Plain TCP, or TLS once {@link useTls} was called. */
  private dial: OutboundDial = dialPlain;
  /** The node is closing: sends are refused and links fire nothing any more. */
  private closing = false;
  /**
   * The name validated last: a burst of one message is validated once, not per message.
   * Starts as a valid name, so that nothing (not even `''`) passes unchecked.
   */
  private lastValidName = 'message';

  constructor(
    private readonly settings: OutboundSettings,
    private readonly events: OutboundEvents,
  ) {
    this.connections = new ConnectionPool(
      {
        maxQueuedBytes: settings.maxQueuedBytesPerPeer,
        connectTimeout: settings.connectTimeout,
        dial: (host, port, handlers) => this.dial(host, port, handlers),
      },
      {
        onPeerConnect: (connection) => this.announce(connection),
        onPeerClose: (connection, error, lostBytes) =>
          this.closed(connection, error, lostBytes),
      },
    );
  }

  /** Outbound connections (connected or connecting), one per peer address. */
  get stats(): { connections: number; connected: number } {
    let connections = 0;
    let connected = 0;
    for (const connection of this.connections.all()) {
      connections++;
      if (connection.connected) connected++;
    }
    return { connections, connected };
  }

  /** TLS on: every connection is opened with a handshake and the server's certificate checked. */
  useTls(context: TlsContext): void {
    this.dial = tlsDialer(context);
  }

  /** Queues message `name` from `from` to `to`, or drops it with an error. Never throws. */
  send(from: Upid, to: Upid, name: string, body?: Uint8Array | string): void {
    try {
      if (this.closing) {
        this.drop(to, name, 'the node is closed', 'ECLOSED');
        return;
      }
      if (name !== this.lastValidName) {
        if (isValidMessageName(name)) {
          this.lastValidName = name;
        } else {
          this.events.reportError(
            new WireError(
              `Dropped message to ${to}: invalid name ${JSON.stringify(name)} (printable ASCII without spaces)`,
              'EINVAL',
              to.address,
            ),
          );
          return;
        }
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
        this.drop(
          to,
          name,
          `${to.address} is unreachable (${error.message}); ` +
            `next connection attempt in ${Math.max(0, until - Date.now())} ms`,
          (error as NodeJS.ErrnoException).code ?? 'ECONNREFUSED',
          error,
        );
        return;
      }
      if (!connection.send(from, to, name, bytes)) {
        this.drop(
          to,
          name,
          `more than ${this.settings.maxQueuedBytesPerPeer} bytes are queued for ${to.address} (the peer is not reading)`,
          'EQUEUEFULL',
        );
      }
    } catch (error) {
      this.events.reportError(
        new WireError(
          `Dropped message ${JSON.stringify(name)} to ${String(to)}: ${(error as Error)?.message}`,
          'ESEND',
          to instanceof Upid ? to.address : undefined,
          { cause: error },
        ),
      );
    }
  }

  /** Watches `to` on behalf of `from` over the connection to `to.address`. */
  link(from: Upid, to: Upid): void {
    if (this.closing) return;
    if (this.links.add(from, to) === undefined) return;
    const connection = this.connections.connectionTo(to);
    if (connection.connected) {
      // Asynchronous like the not-yet-connected case, so callers see one behaviour.
      process.nextTick(() => this.announce(connection));
    }
  }

  /** Forgets the link `from -> to`; the connection stays. */
  unlink(from: Upid, to: Upid): void {
    this.links.remove(from, to);
  }

  /** The processes `from` is linked to. */
  linksOf(from: Upid): Upid[] {
    return this.links.linksOf(from);
  }

  /**
   * The node is closing: sends are refused from now on, links are forgotten without 'exited'
   * (the node's own shutdown is no peer's death), and what is queued is written now.
   */
  startClosing(): void {
    this.closing = true;
    this.links.clear();
    for (const connection of this.connections.all()) connection.flush();
  }

  /**
   * True once every message written was answered by its peer. A peer that has never answered
   * (mesos-go answers no libprocess User-Agent) is waited for only until `silentUntil`.
   */
  answered(now: number, silentUntil: number): boolean {
    for (const connection of this.connections.all()) {
      if (
        connection.unansweredMessages > 0 &&
        (connection.hasAnswered || now < silentUntil)
      ) {
        return false;
      }
    }
    return true;
  }

  /** Flushes and half-closes every connection; resolves once all are closed. */
  endAll(): Promise<void> {
    return this.connections.endAll();
  }

  /** Closes every connection at once; what is still queued is lost. */
  destroyAll(): void {
    this.connections.destroyAll();
  }

  private drop(
    to: Upid,
    name: string,
    reason: string,
    code: string,
    cause?: Error,
  ): void {
    this.events.reportError(
      new WireError(
        `Dropped message ${JSON.stringify(name)} to ${to}: ${reason}`,
        code,
        to.address,
        cause === undefined ? undefined : { cause },
      ),
    );
  }

  private announce(connection: PeerConnection): void {
    if (this.closing || connection.closed) return;
    for (const link of this.links.at(connection.address)) {
      if (!link.announced) {
        link.announced = true;
        this.events.linked(link.from, link.to);
      }
    }
  }

  private closed(
    connection: PeerConnection,
    error: Error | undefined,
    lostBytes: number,
  ): void {
    if (this.closing) return;
    const links = this.links.takeAt(connection.address);
    // A failed TLS handshake or verification is a configuration mismatch: always reported.
    if (
      lostBytes > 0 ||
      (error !== undefined && (links.length === 0 || isTlsFailure(error)))
    ) {
      const code =
        (error as NodeJS.ErrnoException | undefined)?.code ?? 'ECONNCLOSED';
      this.events.reportError(
        new WireError(
          `Connection to ${connection.address} ${error ? `failed: ${error.message}` : 'closed by the peer'}` +
            (lostBytes > 0 ? `; ${lostBytes} queued bytes dropped` : ''),
          code,
          connection.address,
          { cause: error },
        ),
      );
    }
    for (const link of links) this.events.exited(link.from, link.to);
  }
}
