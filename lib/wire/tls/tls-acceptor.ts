import type { Socket } from 'node:net';
import { Server as TlsServer, type TLSSocket } from 'node:tls';

import { WireError } from '../errors/wire.error.js';
import type { TlsContext } from './tls-context.js';
import { describeTlsError } from './tls-errors.js';
import { verifyPeer } from './tls-identity.js';
import { classifyFirstBytes } from './tls-sniff.js';

/** What a {@link TlsAcceptor} hands back. */
export interface TlsAcceptorHooks {
  /**
   * A connection ready to carry libprocess traffic: a TLS socket whose handshake (and, with
   * `requireClientCert`, verification) succeeded, or the plain socket of a client that spoke
   * plain HTTP to a listener that supports downgrades. Unread bytes are still in the socket.
   */
  onConnection(socket: Socket): void;
  /** A handshake that failed, timed out or was refused by verification. */
  onError(error: WireError): void;
}

/** An accepted socket that is not ready yet. */
interface Pending {
  readonly socket: Socket;
  timer: NodeJS.Timeout | null;
}

/**
 * The accepting side of TLS: takes each socket a `net.Server` accepted and turns it into a
 * connection for the wire, as C++ libprocess' SSL listener does.
 *
 * - TLS only: the handshake starts at once; a client that speaks plain HTTP fails it and is
 *   closed (it sees a reset and no bytes, like a C++ SSL server's plain clients).
 * - With `supportDowngrade`, the first bytes decide (see `classifyFirstBytes`): a ClientHello
 *   goes through the handshake, anything else is served as plain. A connection that sends
 *   nothing is left alone, as plain idle connections are (a linked peer may stay silent).
 * - Every handshake has a deadline (`handshakeTimeout`, from its first byte, or from the accept
 *   when downgrades are off): an absolute timer, not an idle one, so a client that trickles
 *   bytes cannot keep a handshake and its OpenSSL state alive.
 *
 * Failures are reported through `onError` (code `ETLSHANDSHAKE`, or `ETLSVERIFY` for a client
 * certificate that verification refused) and the socket is destroyed.
 */
export class TlsAcceptor {
  private readonly server: TlsServer;
  /** Sockets between accept and ready, by remote endpoint (the TLS socket has the same one). */
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly context: TlsContext,
    private readonly hooks: TlsAcceptorHooks,
  ) {
    const { settings } = context;
    this.server = new TlsServer({
      ...context.options,
      requestCert: settings.requireClientCert,
      // Checked in secured() instead: with rejectUnauthorized, tls.Server drops a client whose
      // certificate fails verification silently (no event), and nobody would learn why.
      rejectUnauthorized: false,
      // Node's own timer is an idle timer; ours (absolute) always fires first.
      handshakeTimeout: settings.handshakeTimeout * 2,
    });
    this.server.on('secureConnection', (socket: TLSSocket) =>
      this.secured(socket),
    );
    this.server.on('tlsClientError', (error: Error, socket: TLSSocket) =>
      this.failed(socket, error),
    );
  }

  /** Connections accepted but not handed over yet (handshakes, undecided first bytes). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Takes over a socket the listener accepted. */
  accept(socket: Socket): void {
    const key = endpoint(socket);
    if (this.closed || key === undefined) {
      socket.destroy();
      return;
    }
    const entry: Pending = { socket, timer: null };
    this.pending.set(key, entry);
    socket.once('close', () => this.forget(key, entry));
    // Until the TLS socket takes over, errors (resets) only end the connection.
    socket.on('error', () => undefined);
    if (!this.context.settings.supportDowngrade) {
      this.startHandshake(key, entry, Buffer.alloc(0));
      return;
    }
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const kind = classifyFirstBytes(head);
      if (kind === 'undecided') {
        // A ClientHello arriving in pieces: the handshake deadline already runs.
        entry.timer ??= this.deadline(key, entry);
        return;
      }
      socket.off('data', onData);
      socket.pause();
      if (kind === 'tls') {
        this.startHandshake(key, entry, head);
      } else {
        this.forget(key, entry);
        socket.unshift(head);
        this.hooks.onConnection(socket);
        // Paused to put the head back; a 'data' listener alone does not restart an explicitly
        // paused stream. Flowing starts on the next tick, after the listeners are in place.
        socket.resume();
      }
    };
    socket.on('data', onData);
  }

  /** Destroys every connection that is not ready yet; later accepts are refused. */
  close(): void {
    this.closed = true;
    for (const { socket } of [...this.pending.values()]) socket.destroy();
    this.pending.clear();
  }

  private startHandshake(key: string, entry: Pending, head: Buffer): void {
    entry.timer ??= this.deadline(key, entry);
    if (head.length > 0) entry.socket.unshift(head);
    // tls.Server wraps the socket; bytes already read (the unshifted head) are fed to OpenSSL.
    this.server.emit('connection', entry.socket);
  }

  private deadline(key: string, entry: Pending): NodeJS.Timeout {
    const timeout = this.context.settings.handshakeTimeout;
    const timer = setTimeout(() => {
      if (this.pending.get(key) !== entry) return;
      this.report(
        entry.socket,
        `TLS handshake not completed within ${timeout} ms`,
        'ETLSHANDSHAKE',
      );
      this.forget(key, entry);
      entry.socket.destroy();
    }, timeout);
    timer.unref();
    return timer;
  }

  private secured(socket: TLSSocket): void {
    const key = endpoint(socket);
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (entry === undefined || this.closed) {
      // Timed out or closed meanwhile.
      socket.destroy();
      return;
    }
    const settings = this.context.settings;
    if (!settings.requireClientCert) {
      this.ready(key!, entry, socket);
      return;
    }
    if (!socket.authorized) {
      this.report(
        socket,
        `refused the client certificate: ${describeAuthorizationError(socket)}`,
        'ETLSVERIFY',
      );
      this.forget(key!, entry);
      socket.destroy();
      return;
    }
    // Data keeps arriving meanwhile; it waits in the TLS socket (paused: no 'data' listener).
    verifyPeer(settings, 'server', socket).then(
      (refused) => {
        if (this.pending.get(key!) !== entry) return;
        if (refused === undefined) {
          this.ready(key!, entry, socket);
          return;
        }
        this.report(
          socket,
          `refused the client certificate: ${refused.message}`,
          'ETLSVERIFY',
        );
        this.forget(key!, entry);
        socket.destroy();
      },
      (error: unknown) => {
        this.forget(key!, entry);
        socket.destroy();
        this.report(
          socket,
          `client certificate verification failed: ${(error as Error)?.message}`,
          'ETLSVERIFY',
        );
      },
    );
  }

  private ready(key: string, entry: Pending, socket: TLSSocket): void {
    this.forget(key, entry);
    this.hooks.onConnection(socket);
  }

  private failed(socket: TLSSocket, error: Error): void {
    const key = endpoint(socket);
    const entry = key === undefined ? undefined : this.pending.get(key);
    if (entry !== undefined) this.forget(key!, entry);
    socket.destroy();
    if (entry === undefined || this.closed) return;
    this.report(
      socket,
      `TLS handshake failed: ${describeTlsError(error)}`,
      'ETLSHANDSHAKE',
      error,
    );
  }

  private forget(key: string, entry: Pending): void {
    if (entry.timer !== null) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    if (this.pending.get(key) === entry) this.pending.delete(key);
  }

  private report(
    socket: Socket,
    message: string,
    code: string,
    cause?: unknown,
  ): void {
    const address = formatEndpoint(socket);
    this.hooks.onError(
      new WireError(
        `Inbound connection from ${address}: ${message}`,
        code,
        address,
        cause === undefined ? undefined : { cause },
      ),
    );
  }
}

function describeAuthorizationError(socket: TLSSocket): string {
  const code = String(socket.authorizationError ?? 'unknown error');
  const certificate = socket.getPeerCertificate();
  return certificate === null || Object.keys(certificate).length === 0
    ? `no client certificate (${code})`
    : `${code} (subject ${certificate.subject?.CN ?? 'unknown'})`;
}

function endpoint(socket: Socket): string | undefined {
  const { remoteAddress, remotePort } = socket;
  return remoteAddress === undefined
    ? undefined
    : `${remoteAddress}|${remotePort}`;
}

function formatEndpoint(socket: Socket): string {
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.includes(':')
    ? `[${remoteAddress}]:${remotePort}`
    : `${remoteAddress}:${remotePort}`;
}
