import { Logger } from '@nestjs/common';

import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import type { DelayHandle } from '../interfaces/actor-ref-options.interface.js';
import type { ProcessManager } from '../runtime/process-manager.js';
import type { ProcessRecord } from '../runtime/process-record.js';

/**
 * The timed dispatches behind `ActorRef.delay()` and `ActorRef.periodic()`: a runtime timer
 * that, when it fires, dispatches the method on the process' queue. No caller awaits a timed
 * call, so its failure is logged here (under `ActorRef`, where users look for it) and never
 * thrown; a process that terminated meanwhile just does not run it.
 */
export class TimedCalls {
  private readonly logger = new Logger('ActorRef');

  constructor(private readonly processManager: ProcessManager) {}

  /** Dispatches `method(...args)` to the process after `ms`; cancelled on shutdown. */
  delay(
    ms: number,
    record: ProcessRecord,
    method: string,
    args: unknown[],
  ): DelayHandle {
    return this.processManager.addTimer(ms, () => {
      void this.run(record, method, args, 'Delayed');
    });
  }

  /**
   * Dispatches `method(...args)` every `ms`, each time `ms` after the previous call finished
   * (so calls never pile up); stops when cancelled, when the process terminates, and when the
   * runtime stops.
   */
  periodic(
    ms: number,
    record: ProcessRecord,
    method: string,
    args: unknown[],
  ): DelayHandle {
    const manager = this.processManager;
    let stopped = false;
    let timer: DelayHandle;
    const tick = (): void => {
      void this.run(record, method, args, 'Periodic').then(() => {
        if (!stopped && !record.terminated && manager.isStarted) {
          timer = manager.addTimer(ms, tick);
        }
      });
    };
    timer = manager.addTimer(ms, tick);
    return {
      cancel: () => {
        if (stopped) return false;
        stopped = true;
        timer.cancel();
        return true;
      },
      get pending() {
        return !stopped && !record.terminated;
      },
    };
  }

  /** Runs one timed call on the process' queue; its failure is logged, never thrown. */
  private async run(
    record: ProcessRecord,
    method: string,
    args: unknown[],
    kind: 'Delayed' | 'Periodic',
  ): Promise<void> {
    try {
      await this.processManager.dispatch(record, method, args);
    } catch (error) {
      if (error instanceof ProcessTerminatedError) return;
      this.logger.error(
        `${kind} call of "${method}" on "${record.pid}" failed: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    }
  }
}
