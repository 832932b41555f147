/** A connection whose reading the budget can stop and restart. */
export interface BudgetHolder {
  /** Stop (true) or restart (false) reading for the budget's sake. */
  setBudgetPaused(paused: boolean): void;
}

/**
 * The node-wide inbound memory budget (`limits.maxInboundBytes`): bytes of incomplete
 * requests, responses not yet handed to the kernel, and what messages waiting in process
 * queues keep alive, over every inbound connection.
 *
 * Past the budget the connections that hold the most stop being read, largest first, until
 * the ones still read hold at most a quarter of the budget; one connection always keeps being
 * read, so a legitimate large request can complete and free what it holds (a connection whose
 * bytes wait in process queues gains nothing from it, but `maxQueuedInboundBytes` stops it).
 * Connections that hold nothing (their requests complete within each read) are never stopped:
 * a fresh client sending messages is still served. Reading restarts for all once the total falls to three
 * quarters of the budget.
 */
export class InboundBudget {
  private readonly held = new Map<BudgetHolder, number>();
  private readonly paused = new Set<BudgetHolder>();
  private total = 0;
  /** Times a connection was stopped by the budget, since the start. */
  pauses = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held by every connection together. */
  get heldBytes(): number {
    return this.total;
  }

  /** Connections currently stopped by the budget. */
  get pausedCount(): number {
    return this.paused.size;
  }

  /** Records what `holder` holds now; stops or restarts reading as the total requires. */
  update(holder: BudgetHolder, bytes: number): void {
    const before = this.held.get(holder) ?? 0;
    if (bytes === before) return;
    if (bytes === 0) this.held.delete(holder);
    else this.held.set(holder, bytes);
    this.total += bytes - before;
    if (this.total > this.maxBytes) {
      this.shed();
    } else if (this.paused.size > 0) {
      if (this.total <= (this.maxBytes * 3) / 4) this.resumeAll();
      else this.keepOneReading();
    }
  }

  /** Forgets a closed connection. */
  remove(holder: BudgetHolder): void {
    this.paused.delete(holder);
    this.update(holder, 0);
    if (this.paused.size > 0) this.keepOneReading();
  }

  private shed(): void {
    const reading: Array<[BudgetHolder, number]> = [];
    let readingBytes = 0;
    for (const entry of this.held) {
      if (!this.paused.has(entry[0])) {
        reading.push(entry);
        readingBytes += entry[1];
      }
    }
    reading.sort((a, b) => b[1] - a[1]);
    for (let i = 0; i < reading.length - 1; i++) {
      if (readingBytes <= this.maxBytes / 4) break;
      const [holder, bytes] = reading[i];
      this.paused.add(holder);
      this.pauses++;
      readingBytes -= bytes;
      holder.setBudgetPaused(true);
    }
    if (reading.length === 0) this.keepOneReading();
  }

  /**
   * While connections are stopped, at least one connection holding bytes is read, or nothing
   * could ever complete and free the budget: the one holding the most is restarted.
   */
  private keepOneReading(): void {
    let largest: BudgetHolder | undefined;
    let largestBytes = -1;
    for (const [holder, bytes] of this.held) {
      if (!this.paused.has(holder)) return;
      if (bytes > largestBytes) {
        largest = holder;
        largestBytes = bytes;
      }
    }
    if (largest === undefined) return;
    this.paused.delete(largest);
    largest.setBudgetPaused(false);
  }

  private resumeAll(): void {
    const paused = [...this.paused];
    this.paused.clear();
    for (const holder of paused) holder.setBudgetPaused(false);
  }
}
