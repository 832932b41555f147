/**
 * A first-in first-out queue with O(1) `shift()`: entries are read from a head index and the
 * backing array is compacted only when the consumed half outgrows the rest, so draining a long
 * queue never moves every element on each step (as `Array.prototype.shift()` does).
 */
export class Fifo<T> implements Iterable<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The newest entry. */
  last(): T | undefined {
    return this.length > 0 ? this.items[this.items.length - 1] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i];
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}

/**
 * The latest `capacity` entries of an unbounded stream (a ring buffer): what the simulator keeps
 * of received calls and of completed frameworks, so that a long test run holds bounded memory.
 */
export class BoundedLog<T> implements Iterable<T> {
  private readonly ring: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
  }

  get length(): number {
    return this.ring.length;
  }

  push(item: T): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(item);
    } else {
      this.ring[this.next] = item;
      this.next = (this.next + 1) % this.capacity;
    }
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.ring.length; i++) {
      yield this.ring[(this.next + i) % this.ring.length];
    }
  }

  toArray(): T[] {
    return [...this];
  }
}
