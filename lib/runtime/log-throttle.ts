/**
 * Keeps repeated log lines readable: a line with a given key is written at most once per
 * interval; the next one written says how many were left out. Hostile input (a peer sending
 * thousands of distinct bad names) cannot grow it past `maxKeys`: it then starts over.
 */
export class LogThrottle {
  private readonly windows = new Map<
    string,
    { until: number; suppressed: number }
  >();

  constructor(
    private readonly intervalMs = 10_000,
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line to write now (with the count of left-out ones), or undefined to leave it out. */
  pass(key: string, line: string): string | undefined {
    const now = this.now();
    const window = this.windows.get(key);
    if (window !== undefined && now < window.until) {
      window.suppressed++;
      return undefined;
    }
    const suppressed = window?.suppressed ?? 0;
    if (window === undefined && this.windows.size >= this.maxKeys) {
      this.windows.clear();
    }
    this.windows.set(key, { until: now + this.intervalMs, suppressed: 0 });
    return suppressed > 0
      ? `${line} (${suppressed} more like it in the last ${Math.round(this.intervalMs / 1000)} s)`
      : line;
  }
}
