import { WireError } from './errors/wire.error.js';

// Kinds of error tracked at once; past it, further peers share one entry per code, so a
// flood from many addresses cannot grow the table.
const MAX_TRACKED_KINDS = 1024;

interface ErrorKind {
  /** Start of the current interval (ms). */
  since: number;
  /** Errors of this kind held back in the current interval. */
  suppressed: number;
  last: WireError | null;
}

/**
 * Rate-limits the node's 'error' events so that logs stay readable under attack or when a
 * peer stays down: per kind (error code and peer host), the first error of an interval is
 * reported at once; the rest of that interval are counted and reported as one summary
 * {@link WireError} (its `count` says how many) when the interval ends.
 */
export class ErrorCoalescer {
  private readonly kinds = new Map<string, ErrorKind>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly report: (error: Error) => void,
  ) {}

  /**
   * Reports `error` now, or counts it towards the summary of its kind. `peer` names the
   * source for the kind: by default the error's address; inbound errors pass the remote host
   * alone (a client's connections differ only in their port).
   */
  add(error: Error, peer?: string): void {
    if (this.intervalMs <= 0 || !(error instanceof WireError)) {
      this.report(error);
      return;
    }
    let key = `${error.code} ${peer ?? error.address ?? ''}`;
    if (!this.kinds.has(key) && this.kinds.size >= MAX_TRACKED_KINDS) {
      key = error.code;
    }
    const now = Date.now();
    const kind = this.kinds.get(key);
    if (kind === undefined || now - kind.since >= this.intervalMs) {
      if (kind !== undefined) this.summarise(kind);
      this.kinds.set(key, { since: now, suppressed: 0, last: null });
      this.schedule();
      this.report(error);
      return;
    }
    kind.suppressed += error.count;
    kind.last = error;
  }

  /** Reports every pending summary now and stops the timer (the node is closing). */
  flush(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    for (const kind of this.kinds.values()) this.summarise(kind);
    this.kinds.clear();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    // Summaries are not worth keeping a process alive for.
    this.timer.unref();
  }

  private tick(): void {
    const now = Date.now();
    for (const [key, kind] of this.kinds) {
      if (now - kind.since < this.intervalMs) continue;
      this.summarise(kind);
      this.kinds.delete(key);
    }
    if (this.kinds.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private summarise(kind: ErrorKind): void {
    const last = kind.last;
    if (last === null || kind.suppressed === 0) return;
    const seconds = Math.max(1, Math.round(this.intervalMs / 1000));
    this.report(
      new WireError(
        `${last.message} (${kind.suppressed} like this in the last ${seconds} s)`,
        last.code,
        last.address,
        { cause: last.cause, count: kind.suppressed },
      ),
    );
    kind.suppressed = 0;
    kind.last = null;
  }
}
