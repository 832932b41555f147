import type { MessageHold } from '../wire/message-hold.js';
import { EntryKind } from './process-record.js';

/**
 * Slots per entry: `[kind, subject, name, body]` (no object per entry). The kind slot of a
 * message from the wire holds its {@link MessageHold} instead of the kind: a fifth slot would
 * cost every queue a quarter more memory, and measurably slowed bursts of 100,000 messages.
 */
const ENTRY_SLOTS = 4;
/**
 * Slots of the first block of a queue: most processes never have more than a few entries
 * queued, and 100,000 processes may each hold one at the same time.
 */
const FIRST_BLOCK_SLOTS = 4 * ENTRY_SLOTS;
/**
 * Each further block doubles up to this size: a burst appends blocks (never a copy), and
 * many processes with a moderate backlog each hold little more than what they queue.
 */
const MAX_BLOCK_SLOTS = 256 * ENTRY_SLOTS;
/** Free slots kept per block size for reuse across processes (what idle queues retain). */
const POOL_SLOTS = 32 * 1024;

/** A fixed-size run of slots; the blocks of one queue form a singly linked FIFO. */
class QueueBlock {
  readonly slots: unknown[];
  next: QueueBlock | null = null;

  constructor(size: number) {
    // Preallocated (holes read as undefined); entries are cleared as they are taken.
    this.slots = new Array<unknown>(size);
  }
}

/** Free blocks by size: index 0 holds FIRST_BLOCK_SLOTS, each next index twice as many. */
const pools: QueueBlock[][] = [];
for (let size = FIRST_BLOCK_SLOTS; size <= MAX_BLOCK_SLOTS; size *= 2) {
  pools.push([]);
}

function poolOf(size: number): QueueBlock[] {
  // log2(size / FIRST_BLOCK_SLOTS); sizes are powers of two.
  return pools[Math.clz32(FIRST_BLOCK_SLOTS) - Math.clz32(size)];
}

function takeBlock(size: number): QueueBlock {
  return poolOf(size).pop() ?? new QueueBlock(size);
}

/** Keeps a drained block (all of its slots are cleared) for reuse, up to the pool limit. */
function recycle(block: QueueBlock): void {
  block.next = null;
  const pool = poolOf(block.slots.length);
  if ((pool.length + 1) * block.slots.length <= POOL_SLOTS) pool.push(block);
}

/**
 * The FIFO of one process: entries of four slots in blocks taken from a shared pool, created
 * on its first entry (a process that never receives holds no storage). A burst appends
 * blocks that double in size instead of growing and copying one array, and every drained
 * block but the last goes back to the pool.
 */
export class MailboxQueue {
  /** Entries queued. */
  length = 0;
  /**
   * The operands of the entry last returned by `shift()` (see `EntryKind`): `subject` is the
   * sender of a message, the Task of a dispatch or the peer of a link event; `name` and
   * `body` are only set for messages, `hold` for messages from the wire.
   */
  subject: unknown = undefined;
  name: unknown = undefined;
  body: unknown = undefined;
  hold: MessageHold | undefined = undefined;
  private head: QueueBlock | null = null;
  private headIndex = 0;
  private tail: QueueBlock | null = null;
  private tailIndex = 0;

  /** Appends an entry; `hold` only with a message (`kind` is then {@link EntryKind.MESSAGE}). */
  push(
    kind: number,
    subject: unknown,
    name: unknown,
    body: unknown,
    hold: MessageHold | undefined,
  ): void {
    let tail = this.tail;
    let index = this.tailIndex;
    if (tail === null) {
      tail = this.head = this.tail = takeBlock(FIRST_BLOCK_SLOTS);
      index = this.headIndex = 0;
    } else if (index === tail.slots.length) {
      const size = Math.min(index * 2, MAX_BLOCK_SLOTS);
      tail = tail.next = this.tail = takeBlock(size);
      index = 0;
    }
    const slots = tail.slots;
    slots[index] = hold === undefined ? kind : hold;
    slots[index + 1] = subject;
    slots[index + 2] = name;
    slots[index + 3] = body;
    this.tailIndex = index + ENTRY_SLOTS;
    this.length++;
  }

  /** Puts an entry before every queued one. */
  unshift(kind: number, subject: unknown): void {
    if (this.length === 0) {
      return this.push(kind, subject, undefined, undefined, undefined);
    }
    let head = this.head!;
    let index = this.headIndex;
    if (index === 0) {
      const block = takeBlock(FIRST_BLOCK_SLOTS);
      block.next = head;
      head = this.head = block;
      index = FIRST_BLOCK_SLOTS;
    }
    index -= ENTRY_SLOTS;
    const slots = head.slots;
    slots[index] = kind;
    slots[index + 1] = subject;
    this.headIndex = index;
    this.length++;
  }

  /**
   * Removes the first entry (the queue must not be empty): returns its kind and leaves its
   * operands in `subject`, `name`, `body` and `hold` (until the next `shift()` or `idle()`).
   */
  shift(): number {
    let head = this.head!;
    let index = this.headIndex;
    if (index === head.slots.length) {
      const drained = head;
      head = this.head = head.next!;
      index = 0;
      recycle(drained);
    }
    const slots = head.slots;
    const first = slots[index];
    let kind: number;
    if (typeof first === 'number') {
      kind = first;
      this.hold = undefined;
    } else {
      kind = EntryKind.MESSAGE;
      this.hold = first as MessageHold;
    }
    this.subject = slots[index + 1];
    this.name = slots[index + 2];
    this.body = slots[index + 3];
    // The queue must not keep bodies and senders alive once they are taken.
    slots[index] =
      slots[index + 1] =
      slots[index + 2] =
      slots[index + 3] =
        undefined;
    if (--this.length === 0) {
      // Empty: head and tail are this block; start over at its beginning.
      this.headIndex = this.tailIndex = 0;
    } else {
      this.headIndex = index + ENTRY_SLOTS;
    }
    return kind;
  }

  /** How many queued entries are of `kind` (walks the queue: for metrics, not per message). */
  count(kind: number): number {
    let count = 0;
    let left = this.length;
    let block = this.head;
    let index = this.headIndex;
    while (left > 0 && block !== null) {
      if (index === block.slots.length) {
        block = block.next;
        index = 0;
        continue;
      }
      const first = block.slots[index];
      if (
        first === kind ||
        (kind === EntryKind.MESSAGE && typeof first === 'object')
      ) {
        count++;
      }
      index += ENTRY_SLOTS;
      left--;
    }
    return count;
  }

  /**
   * Drops the operands of the last taken entry. An empty queue keeps its one block (at most
   * MAX_BLOCK_SLOTS, i.e. what it needed last time): a process with a recurring backlog then
   * queues it without allocating, as a grown array would, but never copies.
   */
  idle(): void {
    this.subject = this.name = this.body = this.hold = undefined;
  }

  /** Gives the storage of an empty queue back to the pool (its process is gone). */
  dispose(): void {
    this.subject = this.name = this.body = this.hold = undefined;
    // Empty: head and tail are one block. A queue with entries keeps them.
    if (this.length > 0 || this.head === null) return;
    recycle(this.head);
    this.head = this.tail = null;
    this.headIndex = this.tailIndex = 0;
  }
}
