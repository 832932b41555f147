import type { Socket } from 'node:net';

import { WireError } from './errors/wire.error.js';
import { MessageHeadCache } from './message-head-cache.js';
import { MESSAGE_BODY_END } from './message-encoder.js';
import { ResponseCounter } from './response-counter.js';
import {
  dialPlain,
  type OutboundAttempt,
  type OutboundDial,
} from './tls/tls-dialer.js';
import type { Upid } from './upid.js';
import {
  KEEPALIVE_INITIAL_DELAY,
  MAX_OUTBOUND_SLAB_BYTES,
  MIN_OUTBOUND_SLAB_BYTES,
} from './wire.constants.js';

/** What a {@link PeerConnection} reports to its owner. */
export interface PeerConnectionListener {
  onPeerConnect(connection: PeerConnection): void;
  /** Called exactly once; `lostBytes` were queued but never handed to the kernel. */
  onPeerClose(
    connection: PeerConnection,
    error: Error | undefined,
    lostBytes: number,
  ): void;
}

// Messages at least this large are written as their own buffers instead of being copied.
const LARGE_MESSAGE_BYTES = MAX_OUTBOUND_SLAB_BYTES / 2;
const CR = 0x0d;
const LF = 0x0a;
// Lower-case hex digits, as C++ libprocess writes the chunk size.
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * The persistent outbound socket to one peer address (`host:port`).
 *
 * Messages are encoded straight into write slabs (4-64 KiB, sized to the peer's traffic): each
 * slab is one allocation shared by many small messages, and everything sent during one tick
 * leaves as one write (flushed on `process.nextTick`, i.e. after the current handler and its
 * microtasks, or as soon as a slab is full, so that a long burst reaches the kernel while it is
 * still being produced). Message heads are cached ({@link MessageHeadCache}) and copied;
 * only the chunk-size line is written per message. Large bodies are written without copying,
 * head and body corked into one writev. Responses from the peer are read at once, so the peer
 * never blocks on them, and counted (shutdown waits for the answers to what was sent). Per-peer order is the socket's order.
 *
 * A connection that is not established within the connect timeout is closed (`ETIMEDOUT`), and
 * TCP keepalive detects a peer host that vanished without closing the socket.
 *
 * The socket comes from an {@link OutboundDial} (plain TCP, or TLS): until it is ready (for TLS:
 * handshake done and server verified) messages wait in `pending`, so none leaves before the
 * peer is trusted, and a TLS attempt that downgrades to plain TCP loses nothing.
 *
 * @internal
 */
export class PeerConnection {
  /** Null until the dial succeeded. */
  socket: Socket | null = null;
  connected = false;
  closed = false;
  /** Resolves once the socket is gone (after {@link PeerConnectionListener.onPeerClose}). */
  readonly whenClosed: Promise<void>;
  /** Messages queued on this connection. */
  sentMessages = 0;
  /** The peer's responses so far (one per message it read: 202, or 404 and the like). */
  private readonly answers = new ResponseCounter();

  private slab: Buffer | null = null;
  private slabStart = 0;
  private slabEnd = 0;
  /** Size of the next slab: grows for bursts, shrinks back when traffic is light. */
  private slabSize = MIN_OUTBOUND_SLAB_BYTES;
  /** Bytes queued since the last flush. */
  private tickBytes = 0;
  private flushScheduled = false;
  private resolveClosed!: () => void;
  /** Encoded heads by sender, process id and name. */
  private readonly heads = new MessageHeadCache();
  private connectTimer: NodeJS.Timeout | null = null;
  private readonly attempt: OutboundAttempt;
  /** Writes made before the socket was ready, in order. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private endWhenReady = false;

  constructor(
    readonly address: string,
    host: string,
    port: number,
    private readonly maxQueuedBytes: number,
    connectTimeout: number,
    private readonly listener: PeerConnectionListener,
    dial: OutboundDial = dialPlain,
  ) {
    this.whenClosed = new Promise((resolve) => (this.resolveClosed = resolve));
    // Likewise a SYN that is never answered: the kernel would retry for minutes.
    this.connectTimer = setTimeout(() => {
      this.gone(
        new WireError(
          `Could not connect to ${address} within ${connectTimeout} ms`,
          'ETIMEDOUT',
          address,
        ),
      );
    }, connectTimeout);
    // The socket keeps the process alive while it connects; the timer alone must not.
    this.connectTimer.unref();
    this.attempt = dial(host, port, {
      ready: (socket) => this.ready(socket),
      failed: (error) => this.gone(error),
    });
  }

  private ready(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.clearConnectTimer();
    socket.setNoDelay(true);
    // A host that vanishes (power loss, network partition) never sends a FIN or RST: keepalive
    // probes are what eventually close the socket, so that its links fire 'exited'.
    socket.setKeepAlive(true, KEEPALIVE_INITIAL_DELAY);
    // The peer's responses (202s) are only counted, and read at once so that the peer's
    // writes never stall.
    socket.on('data', (chunk: Buffer) => this.answers.feed(chunk));
    socket.on('error', (error) => this.gone(error));
    // A peer that closes its side is gone for libprocess (that is what 'exited' means).
    socket.on('end', () => this.gone(undefined));
    socket.on('close', () => this.gone(undefined));
    if (this.pending.length > 0) {
      socket.cork();
      for (const chunk of this.pending) socket.write(chunk);
      socket.uncork();
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.connected = true;
    if (this.endWhenReady) {
      this.end();
      return;
    }
    this.listener.onPeerConnect(this);
  }

  /** Bytes waiting to be handed to the kernel (Node's buffer plus the unflushed slab). */
  get queuedBytes(): number {
    return (
      (this.socket === null ? this.pendingBytes : this.socket.writableLength) +
      (this.slabEnd - this.slabStart)
    );
  }

  /**
   * Queues message `name` from `from` to `to` (a process at this connection's address),
   * encoded exactly like `encodeMessage`. Returns false, queuing nothing, when the connection
   * is closed or the peer has `maxQueuedBytes` unread already.
   */
  send(from: Upid, to: Upid, name: string, body: Uint8Array): boolean {
    if (this.closed) return false;
    const bodyLength = body.length;
    const head = this.heads.head(from, to, name, bodyLength > 0);
    let sizeDigits = 0;
    // The chunk-size line (`1\r\n` in the cached head) is written per message.
    for (let n = bodyLength; n > 0; n = Math.floor(n / 16)) sizeDigits++;
    const size =
      head.length +
      bodyLength +
      (bodyLength > 0 ? sizeDigits + 2 + MESSAGE_BODY_END.length : 0);
    const queued = this.queuedBytes;
    // A single message larger than the limit still goes out when nothing else is queued.
    if (queued > 0 && queued + size > this.maxQueuedBytes) return false;
    this.sentMessages++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushConnection, this);
    }
    this.tickBytes += size;
    if (size >= LARGE_MESSAGE_BYTES) {
      this.flushSlab();
      // Head, body and chunk end leave as one writev, the body without a copy.
      this.socket?.cork();
      this.write(head);
      if (bodyLength > 0) {
        this.write(Buffer.from(`${bodyLength.toString(16)}\r\n`, 'latin1'));
        this.write(body);
        this.write(MESSAGE_BODY_END);
      }
      this.socket?.uncork();
      return true;
    }
    let slab = this.slab;
    if (slab === null || slab.length - this.slabEnd < size) {
      this.flushSlab();
      // A slab filled within one tick: this peer gets bursts, give it bigger slabs.
      if (slab !== null && this.tickBytes > slab.length) {
        this.slabSize = Math.min(this.slabSize * 2, MAX_OUTBOUND_SLAB_BYTES);
      }
      // The kernel took the whole slab (flushSlab rewound it): it is filled again, unless it
      // is now too small.
      if (
        slab === null ||
        slab.length - this.slabEnd < size ||
        slab.length < this.slabSize
      ) {
        slab = this.slab = Buffer.allocUnsafe(Math.max(this.slabSize, size));
        this.slabStart = this.slabEnd = 0;
      }
    }
    slab.set(head, this.slabEnd);
    let offset = this.slabEnd + head.length;
    if (bodyLength > 0) {
      for (let i = sizeDigits - 1, n = bodyLength; i >= 0; i--) {
        slab[offset + i] = HEX_DIGITS[n & 15];
        n = Math.floor(n / 16);
      }
      offset += sizeDigits;
      slab[offset++] = CR;
      slab[offset++] = LF;
      slab.set(body, offset);
      offset += bodyLength;
      slab.set(MESSAGE_BODY_END, offset);
      offset += MESSAGE_BODY_END.length;
    }
    this.slabEnd = offset;
    return true;
  }

  /**
   * Messages written here that still wait for the peer's answer (0 once closed, or when the
   * peer's answers cannot be counted).
   */
  get unansweredMessages(): number {
    const answers = this.answers;
    return this.closed || answers.broken
      ? 0
      : Math.max(0, this.sentMessages - answers.count);
  }

  /**
   * Whether the peer has answered any message. mesos-go answers no request that names a
   * libprocess User-Agent (peers README, section 5): such a peer is not waited for long.
   */
  get hasAnswered(): boolean {
    return this.answers.count > 0;
  }

  /** Number of cached message heads (at most `MAX_CACHED_MESSAGE_HEADS`). */
  get cachedHeads(): number {
    return this.heads.size;
  }

  /** Writes the messages gathered in the current slab. */
  flush(): void {
    this.flushScheduled = false;
    // Light traffic: let the next slab be smaller, so that idle connections hold little memory.
    if (this.tickBytes * 4 < this.slabSize) {
      this.slabSize = Math.max(this.slabSize / 2, MIN_OUTBOUND_SLAB_BYTES);
    }
    this.tickBytes = 0;
    if (this.closed) return;
    this.flushSlab();
    // A rewound slab of a burst that has passed: the next one is allocated at the smaller size.
    if (
      this.slab !== null &&
      this.slabEnd === 0 &&
      this.slab.length > this.slabSize * 2
    ) {
      this.slab = null;
    }
  }

  /** Graceful close: flush, send FIN, keep reading until the peer closes too. */
  end(): void {
    if (this.closed) return;
    this.flush();
    if (this.socket === null) this.endWhenReady = true;
    else this.socket.end();
  }

  /** Immediate close; whatever is still queued is lost. */
  destroy(): void {
    this.gone(undefined);
  }

  private flushSlab(): void {
    if (this.slabEnd > this.slabStart) {
      this.write(this.slab!.subarray(this.slabStart, this.slabEnd));
      // Nothing left in Node's write queue: the kernel copied every byte written so far
      // synchronously, so no pending write references the slab any more and it is rewound.
      // A steady stream thus reuses one slab instead of allocating (and faulting in fresh
      // pages for) 64 KiB after 64 KiB. Otherwise the written range is never touched again,
      // because Node still references it.
      if (this.socket !== null && this.socket.writableLength === 0) {
        this.slabStart = this.slabEnd = 0;
      } else {
        this.slabStart = this.slabEnd;
      }
    }
  }

  private write(chunk: Uint8Array): void {
    if (this.socket !== null) {
      this.socket.write(chunk);
    } else {
      this.pending.push(chunk as Buffer);
      this.pendingBytes += chunk.length;
    }
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
  }

  private gone(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.clearConnectTimer();
    const lostBytes = this.queuedBytes;
    this.slab = null;
    this.slabStart = this.slabEnd = 0;
    this.heads.clear();
    this.pending = [];
    this.pendingBytes = 0;
    if (this.socket === null) this.attempt.abort();
    else this.socket.destroy();
    try {
      this.listener.onPeerClose(this, error, lostBytes);
    } finally {
      this.resolveClosed();
    }
  }
}

function flushConnection(connection: PeerConnection): void {
  connection.flush();
}
