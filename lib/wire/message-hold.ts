/**
 * Lets a message handler keep a message past its return, and tells the wire it does: a body
 * handed to `WireNodeHandlers.onMessage` is a view of the connection's read buffer (no copy),
 * so a queued message keeps that buffer alive until it is handled.
 *
 * @publicApi
 */
export interface MessageHold {
  /** The message is kept (e.g. queued for its process) beyond the handler's return. */
  retain(): void;
  /** A message retained earlier is no longer kept (it was handled or dropped): once per `retain()`. */
  release(): void;
}

/**
 * What the wire counts for each retained message besides the buffer its body is a view of: the
 * queue entry and the references to sender, name and body. Without it a flood of empty
 * messages to a slow process would hold memory the count never sees.
 */
export const RETAINED_MESSAGE_COST = 64;

/**
 * The hold of the messages of one read buffer: the buffer is counted once while any of them is
 * retained, each message for {@link RETAINED_MESSAGE_COST}.
 */
class BufferHold implements MessageHold {
  private retained = 0;

  constructor(
    private readonly owner: RetainedMessages,
    private readonly bufferBytes: number,
  ) {}

  retain(): void {
    const first = this.retained++ === 0;
    this.owner.bytes += first
      ? this.bufferBytes + RETAINED_MESSAGE_COST
      : RETAINED_MESSAGE_COST;
  }

  release(): void {
    if (--this.retained > 0) {
      this.owner.bytes -= RETAINED_MESSAGE_COST;
      return;
    }
    // The buffer is free now: the owner re-checks its limits once per buffer, not per message.
    this.owner.bytes -= this.bufferBytes + RETAINED_MESSAGE_COST;
    this.owner.onBufferReleased();
  }
}

/**
 * What the messages of one inbound connection that handlers retained keep alive: each distinct
 * buffer their bodies are views of (a read, or a body gathered over several reads), plus a
 * fixed cost per message; and its HTTP requests whose responses are pending. One hold per
 * buffer, created on its first message, so the count costs an allocation per read rather than
 * per message.
 *
 * @internal
 */
export class RetainedMessages {
  /** Bytes retained messages keep alive right now. */
  bytes = 0;
  private buffer: ArrayBufferLike | null = null;
  private hold: BufferHold | null = null;
  /** For empty bodies (one shared buffer of no bytes), whatever read they came in. */
  private emptyHold: BufferHold | null = null;

  constructor(
    /** Called when a buffer is no longer kept by any retained message. */
    readonly onBufferReleased: () => void,
  ) {}

  /** The hold to hand over with a message whose body is `body`. */
  holdFor(body: Buffer): MessageHold {
    if (body.length === 0) return (this.emptyHold ??= new BufferHold(this, 0));
    const buffer = body.buffer;
    if (buffer !== this.buffer || this.hold === null) {
      this.buffer = buffer;
      this.hold = new BufferHold(this, buffer.byteLength);
    }
    return this.hold;
  }

  /**
   * The hold of an HTTP request whose response is still being produced: its own, for the
   * `bytes` it keeps alive (its body's buffer and its head).
   */
  holdForRequest(bytes: number): MessageHold {
    return new BufferHold(this, bytes);
  }

  /** After each read: its buffer is not referenced from here once its messages are released. */
  endRead(): void {
    this.buffer = null;
    this.hold = null;
  }
}
