import type { StatusUpdate, TaskState } from '../../mesos.types.js';
import { Fifo } from '../common/fifo.js';
import { isTerminalState, taskStateName } from '../../mesos.constants.js';

/** src/slave/constants.hpp: STATUS_UPDATE_RETRY_INTERVAL_MIN and _MAX. */
export const STATUS_UPDATE_RETRY_INTERVAL_MIN_MS = 10_000;
export const STATUS_UPDATE_RETRY_INTERVAL_MAX_MS = 10 * 60_000;

/** What an acknowledgement did to a stream. */
export type AcknowledgementResult =
  | { accepted: false; reason: string }
  | { accepted: true; next: StatusUpdate | undefined; terminal: boolean };

/**
 * The agent's per-task status update stream (src/slave/task_status_update_manager.cpp): updates
 * are queued, only the head is in flight, and the next one is sent only after the head is
 * acknowledged with its uuid. The head is re-sent with a back-off that starts at `minMs` and
 * doubles up to `maxMs`; a new head, or a framework that re-subscribed (UpdateFrameworkMessage),
 * starts again from `minMs`. Pure bookkeeping: the agent process owns the timers and sends.
 */
export class StatusUpdateStream {
  private readonly pending = new Fifo<StatusUpdate>();
  private interval: number;
  /** The terminal update was acknowledged: nothing more can come. */
  private closed = false;

  constructor(
    readonly frameworkId: string,
    readonly taskId: string,
    private readonly minMs = STATUS_UPDATE_RETRY_INTERVAL_MIN_MS,
    private readonly maxMs = STATUS_UPDATE_RETRY_INTERVAL_MAX_MS,
  ) {
    this.interval = minMs;
  }

  get length(): number {
    return this.pending.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  head(): StatusUpdate | undefined {
    return this.pending.peek();
  }

  /** The newest queued state: what the agent reports as `latest_state` with the head. */
  latestState(): TaskState | undefined {
    return this.pending.last()?.status?.state;
  }

  /**
   * Queues an update. Returns true when it became the head, i.e. it must be sent now (the
   * caller then calls {@link sent}).
   */
  push(update: StatusUpdate): boolean {
    if (this.closed) {
      throw new Error(
        `Status update stream of task ${this.taskId} is closed (terminal update acknowledged)`,
      );
    }
    this.pending.push(update);
    if (this.pending.length === 1) {
      this.interval = this.minMs;
      return true;
    }
    return false;
  }

  /** The head was just sent: returns how long to wait before re-sending it, and backs off. */
  sent(): number {
    const wait = this.interval;
    this.interval = Math.min(this.interval * 2, this.maxMs);
    return wait;
  }

  /** The framework re-subscribed: the head is re-sent at once, the back-off starts over. */
  resume(): StatusUpdate | undefined {
    this.interval = this.minMs;
    return this.head();
  }

  acknowledge(uuid: Uint8Array): AcknowledgementResult {
    const head = this.head();
    if (!head) {
      return { accepted: false, reason: 'no pending status update' };
    }
    if (!head.uuid || !Buffer.from(head.uuid).equals(Buffer.from(uuid))) {
      return {
        accepted: false,
        reason: `unexpected uuid ${Buffer.from(uuid).toString('hex')} (expected ${head.uuid ? Buffer.from(head.uuid).toString('hex') : 'none'})`,
      };
    }
    this.pending.shift();
    const terminal = isTerminalState(taskStateName(head.status?.state));
    if (terminal) this.closed = true;
    this.interval = this.minMs;
    return { accepted: true, next: this.head(), terminal };
  }
}
