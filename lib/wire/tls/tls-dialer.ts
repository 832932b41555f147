import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';

import { WireError } from '../errors/wire.error.js';
import type { TlsContext } from './tls-context.js';
import { describeTlsError, isCertificateError } from './tls-errors.js';
import { opensslServerCheck, verifyPeer } from './tls-identity.js';

/** Options every outbound socket gets, TLS or plain. */
const SOCKET_OPTIONS = { noDelay: true } as const;

/** What an {@link OutboundDial} reports, exactly one of the two, once. */
export interface OutboundHandlers {
  /**
   * The socket may carry messages now: connected, and for TLS the handshake and the
   * verification of the server succeeded. From here on its own events tell the rest.
   */
  ready(socket: Socket): void;
  /** The attempt failed (connect, handshake, verification); nothing was sent. */
  failed(error: Error): void;
}

/** An attempt in progress; `abort()` destroys whatever socket it has open (no callback follows). */
export interface OutboundAttempt {
  abort(): void;
}

/**
 * Opens the socket of an outbound connection. Nothing may be written before `ready`: with TLS,
 * messages must not leave before the server is verified, and with downgrade support the socket
 * handed to `ready` may be a plain one opened after the TLS attempt failed.
 *
 * @internal
 */
export type OutboundDial = (
  host: string,
  port: number,
  handlers: OutboundHandlers,
) => OutboundAttempt;

/** Plain TCP. */
export const dialPlain: OutboundDial = (host, port, handlers) => {
  const socket = connectTcp({ host, port, ...SOCKET_OPTIONS });
  const onError = (error: Error) => {
    socket.destroy();
    handlers.failed(error);
  };
  socket.once('error', onError);
  socket.once('connect', () => {
    socket.off('error', onError);
    handlers.ready(socket);
  });
  return { abort: () => socket.destroy() };
};

/**
 * The connecting side of TLS, as C++ libprocess' SSL sockets connect: one context for every
 * connection, the node's certificate presented whenever a server asks for one, the server
 * verified when `verifyServerCert` is on (chain during the handshake, then the chain depth and,
 * for the `legacy` scheme, the name, before any message leaves). A handshake has
 * `handshakeTimeout` from the TCP connect to complete.
 *
 * Failures are {@link WireError}s with code `ETLSHANDSHAKE` (the handshake failed or the server
 * closed during it) or `ETLSVERIFY` (the server's certificate was refused), the cause attached.
 * With `supportDowngrade`, a failed TLS attempt (after the TCP connect) is retried once over
 * plain TCP, as libprocess does, and only that attempt's outcome is reported.
 *
 * @internal
 */
export function tlsDialer(context: TlsContext): OutboundDial {
  const { settings } = context;
  return (host, port, handlers) => {
    const address = host.includes(':')
      ? `[${host}]:${port}`
      : `${host}:${port}`;
    let current: Socket | null = null;
    let aborted = false;
    const attempt: OutboundAttempt = {
      abort: () => {
        aborted = true;
        current?.destroy();
      },
    };
    const check = opensslServerCheck(settings, host);
    if (check instanceof Error) {
      // libprocess refuses before connecting: not a single packet leaves.
      process.nextTick(() => {
        if (!aborted) {
          handlers.failed(
            new WireError(
              `TLS server not verifiable, not connecting: ${check.message}`,
              'ETLSVERIFY',
              address,
            ),
          );
        }
      });
      return attempt;
    }
    const socket: TLSSocket = connectTls({
      host,
      port,
      ...SOCKET_OPTIONS,
      secureContext: context.secureContext,
      rejectUnauthorized: settings.verifyServerCert,
      checkServerIdentity: (_, cert) =>
        check === null ? undefined : check(cert),
    });
    current = socket;
    let tcpConnected = false;
    let done = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = (error: Error | undefined) => {
      if (done || aborted) return;
      done = true;
      if (timer !== null) clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error === undefined) {
        handlers.ready(socket);
        return;
      }
      socket.destroy();
      if (tcpConnected && settings.supportDowngrade) {
        // libprocess: "Failed SSL connections will be downgraded to a non-SSL socket".
        current = null;
        const plain = dialPlain(host, port, handlers);
        attempt.abort = () => {
          aborted = true;
          plain.abort();
        };
        return;
      }
      handlers.failed(error);
    };
    // Messages without the address: the wire node prefixes "Connection to <address> failed".
    const tlsError = (message: string, code: string, cause?: unknown) =>
      new WireError(
        message,
        code,
        address,
        cause === undefined ? undefined : { cause },
      );
    const onError = (error: Error) => {
      if (!tcpConnected) {
        finish(error);
      } else if ((error as NodeJS.ErrnoException).code?.startsWith('ETLS')) {
        finish(error);
      } else {
        finish(
          isCertificateError(error)
            ? tlsError(
                `TLS server certificate refused: ${describeTlsError(error)}`,
                'ETLSVERIFY',
                error,
              )
            : tlsError(
                `TLS handshake failed: ${describeTlsError(error)}`,
                'ETLSHANDSHAKE',
                error,
              ),
        );
      }
    };
    const onClose = () =>
      finish(
        tcpConnected
          ? tlsError(
              'TLS handshake failed: the server closed the connection',
              'ETLSHANDSHAKE',
            )
          : new WireError(
              `Connection to ${address} closed`,
              'ECONNCLOSED',
              address,
            ),
      );
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('connect', () => {
      tcpConnected = true;
      timer = setTimeout(
        () =>
          finish(
            tlsError(
              `TLS handshake not completed within ${settings.handshakeTimeout} ms`,
              'ETLSHANDSHAKE',
            ),
          ),
        settings.handshakeTimeout,
      );
      timer.unref();
    });
    socket.once('secureConnect', () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      verifyPeer(settings, 'client', socket).then(
        (refused) =>
          finish(
            refused === undefined
              ? undefined
              : tlsError(
                  `TLS server certificate refused: ${refused.message}`,
                  'ETLSVERIFY',
                ),
          ),
        (error: unknown) =>
          finish(
            tlsError(
              `TLS server verification failed: ${(error as Error)?.message}`,
              'ETLSVERIFY',
              error,
            ),
          ),
      );
    });
    return attempt;
  };
}
