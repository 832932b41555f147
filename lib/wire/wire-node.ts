import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';

import { BindError } from './errors/bind.error.js';
import { WireError } from './errors/wire.error.js';
import { InboundServer, type InboundStats } from './inbound-server.js';
import { LogCoalescer, withRepeats } from './log-coalescer.js';
import { OutboundSender } from './outbound-sender.js';
import { loadTlsContext } from './tls/tls-context.js';
import { resolveTlsSettings } from './tls/tls-settings.js';
import { Upid } from './upid.js';
import type { WireNodeHandlers, WireNodeOptions } from './wire.interfaces.js';
import {
  resolveWireAddresses,
  resolveWireNodeOptions,
  type ResolvedWireNodeOptions,
} from './wire-node.options.js';

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
 * A libprocess node on the wire: the facade over its receiving side ({@link InboundServer}: the
 * listener, the accepted connections, their limits) and its sending side
 * ({@link OutboundSender}: one persistent connection per peer address, the links that watch
 * them), with the options, the events and one shutdown for both.
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
  private listenPromise: Promise<void> | null = null;
  private advertised: { ip: string; port: number } | null = null;
  private closePromise: Promise<void> | null = null;

  private readonly inbound: InboundServer;
  private readonly outbound: OutboundSender;
  /** Repeated errors of one kind (code and peer) become one summary per interval. */
  private readonly errors: LogCoalescer<WireError>;

  constructor(
    private readonly wireOptions: WireNodeOptions,
    private readonly handlers: WireNodeHandlers,
  ) {
    super();
    this.options = resolveWireNodeOptions(wireOptions, process.env);
    this.outbound = new OutboundSender(
      {
        maxQueuedBytesPerPeer: this.options.limits.maxQueuedBytesPerPeer,
        connectTimeout: this.options.connectTimeout,
      },
      {
        linked: (from, to) => this.notify('linked', from, to),
        exited: (from, to) => this.notify('exited', from, to),
        reportError: (error) => this.reportError(error),
      },
    );
    this.inbound = new InboundServer(
      this.options.limits,
      this.handlers,
      (error, peer) => this.reportError(error, peer),
    );
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
  get inboundStats(): InboundStats {
    return this.inbound.stats;
  }

  /** Outbound connections to peer nodes (connected or connecting): one per peer address. */
  get outboundStats(): { connections: number; connected: number } {
    return this.outbound.stats;
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

  private async bind(): Promise<void> {
    try {
      const addresses = resolveWireAddresses(this.options, networkInterfaces());
      if (addresses instanceof BindError) throw addresses;
      this.setUpTls();
      const port = await this.inbound.listen(
        addresses.bindIp,
        addresses.bindPort,
      );
      this.advertised = {
        ip: addresses.advertiseIp,
        port: addresses.advertisePort ?? port,
      };
    } catch (error) {
      // A later listen() tries again.
      this.listenPromise = null;
      throw error;
    }
  }

  /**
   * Sends message `name` from `from` to the remote process `to`. Never throws: a message that
   * cannot be queued (node closed, invalid name, peer not reading past the byte limit) is
   * dropped and reported as an 'error' event. `body` must not be modified afterwards.
   */
  send(from: Upid, to: Upid, name: string, body?: Uint8Array | string): void {
    this.outbound.send(from, to, name, body);
  }

  /**
   * Watches `to` on behalf of `from`: opens (or reuses) the persistent connection to
   * `to.address`. 'linked' follows once it is connected; 'exited' fires exactly once when it
   * closes, errors or cannot be opened. Linking again after 'exited' opens a new connection.
   */
  link(from: Upid, to: Upid): void {
    this.outbound.link(from, to);
  }

  /** Forgets the link `from -> to` (no 'exited' for it any more); the connection stays. */
  unlink(from: Upid, to: Upid): void {
    this.outbound.unlink(from, to);
  }

  /** The processes `from` is linked to. */
  linksOf(from: Upid): Upid[] {
    return this.outbound.linksOf(from);
  }

  /**
   * Stops taking new work: the listener stops accepting and no inbound connection is read
   * any more; requests already read are still delivered and answered, and sends keep
   * working. The first step of a shutdown (`close()` does it too): a runtime calls it before
   * it drains its processes, so that nothing new arrives meanwhile.
   */
  stopInbound(): void {
    this.inbound.stop();
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
    this.inbound.stop();
    this.outbound.startClosing();
    // Answered: every response written, every message written acknowledged by its peer (a
    // peer that has never answered gets a short while to show that it does).
    const silentUntil = Date.now() + SILENT_PEER_WAIT;
    await waitUntil(
      deadline,
      () =>
        this.inbound.answered &&
        this.outbound.answered(Date.now(), silentUntil),
    );
    await raceDeadline(
      Promise.all([this.outbound.endAll(), this.inbound.endAll()]),
      deadline,
    );
    this.outbound.destroyAll();
    await this.inbound.destroyAll();
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
    this.inbound.useTls(context);
    this.outbound.useTls(context);
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
