import { Logger } from '@nestjs/common';

import type { MesosSchedulerCallbacks } from './interfaces/scheduler.interface.js';

type CallbackName = keyof MesosSchedulerCallbacks;
type CallbackArgs<K extends CallbackName> = Parameters<
  NonNullable<MesosSchedulerCallbacks[K]>
>;

/**
 * The driver's calls into the user's scheduler. What a callback throws (or its promise rejects
 * with) is logged, never taken as the driver's failure. A `stop()` asked for while callbacks run
 * (libmesos' stop is asynchronous too) waits for their end, so that what follows a callback in
 * the same turn (the ACKNOWLEDGE of the update it handled) reaches the master before the
 * TEARDOWN.
 *
 * @internal
 */
export class SchedulerCallbacks {
  private readonly logger = new Logger('SchedulerDriver');
  /** Callbacks (and held sections) running. */
  private depth = 0;
  private pendingStop?: { failover: boolean };

  constructor(
    private readonly scheduler: MesosSchedulerCallbacks,
    /** The driver's stop, run once the callbacks that asked for it are done. */
    private readonly stop: (failover: boolean) => void,
  ) {}

  /**
   * Calls a scheduler callback. Answers `true`/`false` for a synchronous success/failure (true
   * when the scheduler does not implement it), or the callback's promise.
   */
  invoke<K extends CallbackName>(
    name: K,
    ...args: CallbackArgs<K>
  ): boolean | Promise<unknown> {
    const callback = this.scheduler[name] as
      ((...a: CallbackArgs<K>) => unknown) | undefined;
    if (typeof callback !== 'function') return true;
    const failed = (error: unknown) =>
      this.logger.error(
        `Scheduler callback ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    return this.hold(() => {
      try {
        const result = callback.apply(this.scheduler, args);
        if (result instanceof Promise) {
          result.catch(failed);
          return result;
        }
        return true;
      } catch (error) {
        failed(error);
        return false;
      }
    });
  }

  /** Runs `section` as a callback: a stop() asked for meanwhile runs at its end. */
  hold<T>(section: () => T): T {
    this.depth++;
    try {
      return section();
    } finally {
      this.depth--;
      this.stopIfAsked();
    }
  }

  /** True when callbacks run: the stop is deferred to their end (the first one asked wins). */
  deferStop(failover: boolean): boolean {
    if (this.depth === 0) return false;
    this.pendingStop ??= { failover };
    return true;
  }

  private stopIfAsked(): void {
    if (this.depth > 0 || !this.pendingStop) return;
    const { failover } = this.pendingStop;
    this.pendingStop = undefined;
    this.stop(failover);
  }
}
