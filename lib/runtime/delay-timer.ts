import type { DelayHandle } from '../interfaces/actor-ref-options.interface.js';

/** A `setTimeout` that its owner can cancel all at once on shutdown. */
export class DelayTimer implements DelayHandle {
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
