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
