// Keys tracked at once; past it, new keys share their overflow key, so a flood from many
// addresses (or of many distinct bad names) cannot grow the table.
const MAX_TRACKED_KEYS = 1024;

interface Repeats<T> {
  /** Start of the current interval (ms). */
  since: number;
  /** Items of this key held back in the current interval. */
  suppressed: number;
  /** The last item held back, reported as the summary. */
  last: T | undefined;
}

/**
 * `message` with the number of repeats a summary stands for:
 * `... (12 like this in the last 5 s)`. The one wording of every coalesced log line.
 */
export function withRepeats(
  message: string,
  repeats: number,
  intervalMs: number,
): string {
  if (repeats === 0) return message;
  const seconds = Math.max(1, Math.round(intervalMs / 1000));
  return `${message} (${repeats} like this in the last ${seconds} s)`;
}

/**
 * Keeps repeated log lines readable under attack or while a peer stays down: per key (an
 * error code and peer host, a process and mailbox), the first item of an interval is reported
 * at once; the rest of that interval are counted and reported as one summary (the last of them
 * with the count, see {@link withRepeats}) when the interval ends, so a flood that stops is
 * still accounted for. The one mechanism for the node's 'error' events and for the runtime's
 * lines about bad input from peers.
 *
 * @internal
 */
export class LogCoalescer<T> {
  private readonly keys = new Map<string, Repeats<T>>();
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param intervalMs the interval; 0 or less reports every item at once.
   * @param report writes an item: `repeats` is 0 for the first of an interval, else the
   * number of items the summary stands for.
   */
  constructor(
    readonly intervalMs: number,
    private readonly report: (item: T, repeats: number) => void,
  ) {}

  /**
   * Reports `item` now, or counts it (as `count` items: it may be a summary itself) towards
   * the summary of `key`. Once 1024 keys are tracked, a new key is counted under
   * `overflowKey` instead (a coarser kind, e.g. the error code alone).
   */
  add(key: string, item: T, count = 1, overflowKey = '*'): void {
    if (this.intervalMs <= 0) {
      this.report(item, 0);
      return;
    }
    if (!this.keys.has(key) && this.keys.size >= MAX_TRACKED_KEYS) {
      key = overflowKey;
    }
    const now = Date.now();
    const repeats = this.keys.get(key);
    if (repeats === undefined || now - repeats.since >= this.intervalMs) {
      if (repeats !== undefined) this.summarise(repeats);
      this.keys.set(key, { since: now, suppressed: 0, last: undefined });
      this.schedule();
      this.report(item, 0);
      return;
    }
    repeats.suppressed += count;
    repeats.last = item;
  }

  /** Reports every pending summary now and stops the timer (the owner is closing). */
  flush(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const repeats of this.keys.values()) this.summarise(repeats);
    this.keys.clear();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    // Summaries are not worth keeping a process alive for.
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const [key, repeats] of this.keys) {
      if (now - repeats.since < this.intervalMs) continue;
      this.summarise(repeats);
      this.keys.delete(key);
    }
    if (this.keys.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private summarise(repeats: Repeats<T>): void {
    if (repeats.suppressed === 0) return;
    const { last, suppressed } = repeats;
    repeats.suppressed = 0;
    repeats.last = undefined;
    this.report(last as T, suppressed);
  }
}
