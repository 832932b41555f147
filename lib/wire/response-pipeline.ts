import type { Socket } from 'node:net';

import {
  ACCEPTED,
  ACCEPTED_RUN,
  ACCEPTED_RUN_MAX,
} from './http-response-encoder.js';

// Pending message responses are written at once from this size on, instead of at the end of
// the event-loop iteration: what one read of a message stream produces, so that a stream
// costs one write (and one wake-up of the sender) per read or fewer. At most one slice of
// ACCEPTED_RUN (2,048 x 44 B), so that such a write never concatenates.
const MAX_DEFERRED_RESPONSE_BYTES = 64 * 1024;

/** A response still being produced (an asynchronous HTTP handler), holding its place. */
export interface ResponseSlot {
  bytes: Buffer | null;
  /** Close the connection after this response. */
  readonly end: boolean;
  /** A ready response queued behind a slot (counted in the pipeline's slot bytes). */
  readonly queued: boolean;
}

/**
 * The responses of one inbound connection, written in request order.
 *
 * The 202/404 answers to messages are coalesced: they leave in one write per connection at the
 * end of the current event-loop iteration (`setImmediate`), or at once when 64 KiB are pending,
 * instead of one write per read; a sender that streams messages costs a fraction of the
 * syscalls. Not a timer: C++ libprocess sockets use Nagle's algorithm, and the response
 * carries the ACK that releases the sender's next small write, so any delay beyond this
 * iteration would stall C++ senders by that delay. HTTP responses and parse errors are
 * "urgent": written at the end of the read that produced them (somebody waits for them).
 * A response whose handler is still running holds a {@link ResponseSlot}; everything behind
 * it waits for it.
 */
export class ResponsePipeline {
  private out: Buffer[] = [];
  /** Bytes in `out` plus the 202s of `acceptedRun`. */
  private outBytes = 0;
  /** 202s queued after the last entry of `out`, not yet materialised. */
  private acceptedRun = 0;
  private endAfterFlush = false;
  /** Whether `out` holds a response that must not wait for the coalesced flush. */
  private urgent = false;
  private scheduledFlush: NodeJS.Immediate | null = null;
  private readonly slots: ResponseSlot[] = [];
  /** Bytes of the ready responses queued behind a slot. */
  private slotBytes = 0;
  private reading = false;
  private closed = false;

  /** `onWritten` runs after each write to the socket (to watch the unsent bytes). */
  constructor(
    private readonly socket: Socket,
    private readonly onWritten: () => void,
  ) {}

  /** Response bytes queued here (not yet written to the socket). */
  get queuedBytes(): number {
    return this.outBytes + this.slotBytes;
  }

  /** Response bytes not yet handed to the kernel (queued here or in the socket). */
  get unsentBytes(): number {
    return this.outBytes + this.slotBytes + this.socket.writableLength;
  }

  /** True while nothing is queued here (the socket may still be writing). */
  get idle(): boolean {
    return this.outBytes === 0 && this.slots.length === 0;
  }

  /** Responses whose handler is still running. */
  get pendingSlots(): number {
    return this.slots.length;
  }

  /** Marks a socket read in progress: responses wait for its end (see {@link endRead}). */
  beginRead(): void {
    this.reading = true;
  }

  /** Writes urgent responses now, schedules the coalesced ones. */
  endRead(): void {
    this.reading = false;
    if (this.urgent || this.outBytes >= MAX_DEFERRED_RESPONSE_BYTES) {
      this.flush();
    } else if (this.outBytes > 0 && this.scheduledFlush === null) {
      this.scheduledFlush = setImmediate(flushPipeline, this);
    }
  }

  /**
   * Queues `bytes` behind any response still being produced. Message responses pass
   * `urgent = false` and may wait for the coalesced flush.
   */
  respond(bytes: Buffer, end: boolean, urgent = true): void {
    if (this.slots.length > 0) {
      this.slots.push({ bytes, end, queued: true });
      this.slotBytes += bytes.length;
      return;
    }
    this.outBytes += bytes.length;
    if (bytes === ACCEPTED) {
      this.acceptedRun++;
      return;
    }
    this.closeAcceptedRun();
    this.out.push(bytes);
    if (urgent) this.urgent = true;
    if (end) this.endAfterFlush = true;
  }

  /** Holds the place of a response that is still being produced. */
  reserve(end: boolean): ResponseSlot {
    const slot: ResponseSlot = { bytes: null, end, queued: false };
    this.slots.push(slot);
    return slot;
  }

  /** Completes a reserved response; it leaves with everything it held back. */
  fill(slot: ResponseSlot, bytes: Buffer): void {
    slot.bytes = bytes;
    const slots = this.slots;
    while (slots.length > 0 && slots[0].bytes !== null) {
      const ready = slots.shift()!;
      if (ready.queued) this.slotBytes -= ready.bytes!.length;
      this.closeAcceptedRun();
      this.out.push(ready.bytes!);
      this.outBytes += ready.bytes!.length;
      if (ready.end) this.endAfterFlush = true;
      this.urgent = true;
    }
    if (!this.reading) this.flush();
  }

  /** Writes every queued response now (also the coalesced ones). */
  flush(): void {
    this.cancelScheduledFlush();
    this.urgent = false;
    if (this.outBytes > 0) {
      this.closeAcceptedRun();
      const out = this.out;
      const bytes =
        out.length === 1 ? out[0] : Buffer.concat(out, this.outBytes);
      this.out = [];
      this.outBytes = 0;
      if (!this.closed && this.socket.writable) {
        this.socket.write(bytes);
        this.onWritten();
      }
    }
    if (this.endAfterFlush && !this.closed) {
      this.endAfterFlush = false;
      this.socket.end();
    }
  }

  /** The socket is gone: nothing more is written. */
  close(): void {
    this.closed = true;
    this.cancelScheduledFlush();
    this.out = [];
    this.outBytes = 0;
    this.acceptedRun = 0;
    this.slots.length = 0;
    this.slotBytes = 0;
  }

  private closeAcceptedRun(): void {
    while (this.acceptedRun > 0) {
      const count = Math.min(this.acceptedRun, ACCEPTED_RUN_MAX);
      this.out.push(ACCEPTED_RUN.subarray(0, count * ACCEPTED.length));
      this.acceptedRun -= count;
    }
  }

  private cancelScheduledFlush(): void {
    if (this.scheduledFlush !== null) {
      clearImmediate(this.scheduledFlush);
      this.scheduledFlush = null;
    }
  }
}

function flushPipeline(pipeline: ResponsePipeline): void {
  pipeline.flush();
}
