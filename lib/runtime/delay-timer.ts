/** A cancellable timer (the public `DelayHandle`). */
export interface TimerHandle {
  /** Cancels it if it did not fire yet; false when it already fired or was cancelled. */
  cancel(): boolean;
  /** True until it fires or is cancelled. */
  readonly pending: boolean;
}

/**
 * setTimeout's longest delay (2^31 - 1 ms, about 24.8 days). It fires a longer one after 1 ms
 * (TimeoutOverflowWarning), which made e.g. a framework's 30-day failover timeout end at once.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A `setTimeout` that its owner can cancel all at once on shutdown; a delay longer than
 * setTimeout's limit is waited out in steps (Infinity: never fires).
 */
export class DelayTimer implements TimerHandle {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    ms: number,
    private readonly callback: () => void,
    private readonly owner: Set<DelayTimer>,
  ) {
    this.arm(ms);
    owner.add(this);
  }

  private arm(ms: number): void {
    const step = Math.min(ms, MAX_TIMEOUT_MS);
    this.timer = setTimeout(
      step < ms ? () => this.arm(ms - step) : this.fire,
      step,
    );
  }

  get pending(): boolean {
    return this.timer !== null;
  }

  cancel(): boolean {
    if (this.timer === null) return false;
    clearTimeout(this.timer);
    this.timer = null;
    this.owner.delete(this);
    return true;
  }

  private readonly fire = (): void => {
    this.timer = null;
    this.owner.delete(this);
    this.callback();
  };
}

/** The pending timers of a runtime (`delay`, `periodic`), all cancelled at once on shutdown. */
export class TimerSet {
  private readonly timers = new Set<DelayTimer>();

  /** Calls `callback` after `ms` unless cancelled first. */
  add(ms: number, callback: () => void): TimerHandle {
    return new DelayTimer(ms, callback, this.timers);
  }

  cancelAll(): void {
    for (const timer of [...this.timers]) timer.cancel();
  }
}
