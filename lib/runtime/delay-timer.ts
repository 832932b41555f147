/** A cancellable timer (the public `DelayHandle`). */
export interface TimerHandle {
  /** Cancels it if it did not fire yet; false when it already fired or was cancelled. */
  cancel(): boolean;
  /** True until it fires or is cancelled. */
  readonly pending: boolean;
}

/** A `setTimeout` that its owner can cancel all at once on shutdown. */
export class DelayTimer implements TimerHandle {
  private timer: NodeJS.Timeout | null;

  constructor(
    ms: number,
    private readonly callback: () => void,
    private readonly owner: Set<DelayTimer>,
  ) {
    this.timer = setTimeout(this.fire, ms);
    owner.add(this);
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
