import { ProcessTerminatedError } from '../errors/process-terminated.error.js';
import type { AskRegistry } from './ask-registry.js';
import type { ProcessLinks } from './process-links.js';
import {
  EntryKind,
  type ProcessRecord,
  ProcessState,
} from './process-record.js';
import type { ProcessTable } from './process-table.js';
import type { RunLoop } from './run-loop.js';
import type { RuntimeCounters } from './runtime-metrics.js';
import type { RuntimeLogger } from './runtime.interfaces.js';
import {
  DROPPED_ON_SHUTDOWN,
  HANDLER_RUNNING_AT_SHUTDOWN,
} from './runtime.messages.js';

/**
 * How a process begins and ends (libprocess' `spawn` / `terminate`): its `@OnInitialize`
 * runs first once it has a pid; terminating it drops its queue, rejects what waited on it
 * and ends its links; and at shutdown, what is still queued on any process is dropped and
 * counted in one log line.
 */
export class ProcessLifecycle {
  constructor(
    private readonly table: ProcessTable,
    private readonly runLoop: RunLoop,
    private readonly asks: AskRegistry,
    private readonly links: ProcessLinks,
    private readonly logger: RuntimeLogger,
    /** Keeps the counts of terminated processes in the totals (metrics). */
    private readonly counters: RuntimeCounters,
  ) {}

  /** Queues `@OnInitialize` ahead of whatever was queued before the process had a pid. */
  initialize(record: ProcessRecord): void {
    if (record.definition.onInitialize.length === 0) return;
    this.runLoop.enqueueFirst(record, EntryKind.INITIALIZE, record.pid);
  }

  /**
   * Removes a process: queued work is dropped (pending dispatches and asks reject), its
   * links are removed, and every local process linked to it gets `exited`. A handler that
   * is running finishes, but nothing else runs after it.
   */
  terminate(record: ProcessRecord): void {
    if (record.terminated) return;
    record.terminated = true;
    this.table.remove(record);
    const reason = new ProcessTerminatedError(record.id);
    this.runLoop.dropQueue(record, reason);
    this.counters.retire(record);
    this.asks.rejectAll(record, reason);
    this.links.removeProcess(record);
  }

  /**
   * Terminates the process once everything queued before this call ran (libprocess'
   * `terminate(pid, inject = false)`): the termination is itself a queued entry.
   */
  terminateAfterQueue(record: ProcessRecord): Promise<void> {
    if (record.terminated) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.runLoop.enqueue(record, EntryKind.DISPATCH, {
        method: () => this.terminate(record),
        label: 'terminate',
        resolve: () => resolve(),
        // Terminated meanwhile (by another call, or the node stopped): it is gone either way.
        reject: () => resolve(),
      });
    });
  }

  /**
   * Drops every queued entry (pending dispatches reject), so that only the handlers already
   * running finish, and logs one line with the count per process. Part of a shutdown whose
   * drain ran out of time; `endAll()` does it too for whatever is left.
   */
  dropQueued(drainTimeoutMs: number): void {
    let dropped = 0;
    const perProcess: string[] = [];
    for (const record of this.table.values()) {
      const count = this.runLoop.dropQueue(
        record,
        new ProcessTerminatedError(record.id),
      );
      if (count > 0) {
        dropped += count;
        perProcess.push(`${record.pid ?? record.id}: ${count}`);
      }
    }
    if (dropped > 0) {
      this.logger.warn(
        DROPPED_ON_SHUTDOWN(dropped, drainTimeoutMs, perProcess),
      );
    }
  }

  /**
   * The end of the node's run: what is still queued is dropped (logged), a handler still
   * running is named in the log (it is not waited for), and pending asks reject.
   */
  endAll(drainTimeoutMs: number): void {
    this.dropQueued(drainTimeoutMs);
    for (const record of this.table.values()) {
      if (record.state === ProcessState.WAITING) {
        this.logger.warn(
          HANDLER_RUNNING_AT_SHUTDOWN(record.pid ?? record.id, drainTimeoutMs),
        );
      }
      this.asks.rejectAll(record, new ProcessTerminatedError(record.id));
    }
  }
}
