import type { Upid } from '../wire/upid.js';
import type { AskWaiter, ProcessRecord } from './process-record.js';

/**
 * The pending `ask()` calls of each process: a reply that matches one (by name, and by the
 * sender's id and port, so that host aliases of the peer do not matter) resolves it instead
 * of being queued. Every waiter has a timeout; `settled` runs when one of a process' calls
 * ends by reply or timeout (the runtime removes a temporary asker then).
 */
export class AskRegistry {
  constructor(private readonly settled: (asker: ProcessRecord) => void) {}

  /** Registers a waiter; it rejects with `timeoutError()` after `timeoutMs`. */
  add(
    asker: ProcessRecord,
    to: Upid,
    reply: string,
    timeoutMs: number,
    resolve: AskWaiter['resolve'],
    reject: AskWaiter['reject'],
    timeoutError: () => Error,
  ): AskWaiter {
    const waiter: AskWaiter = {
      to,
      reply,
      resolve,
      reject,
      timer: setTimeout(
        () => this.fail(asker, waiter, timeoutError()),
        timeoutMs,
      ),
    };
    (asker.askWaiters ??= []).push(waiter);
    return waiter;
  }

  /** Resolves the first waiter of `asker` that this message answers; false when none. */
  answer(
    asker: ProcessRecord,
    from: Upid,
    name: string,
    body: Buffer,
  ): boolean {
    const waiters = asker.askWaiters;
    if (waiters === null) return false;
    for (const waiter of waiters) {
      if (
        waiter.reply === name &&
        waiter.to.id === from.id &&
        waiter.to.port === from.port
      ) {
        this.remove(asker, waiter);
        this.settled(asker);
        waiter.resolve({ body, from });
        return true;
      }
    }
    return false;
  }

  /** Ends one call with `error` (it timed out, or its request could not be sent). */
  fail(asker: ProcessRecord, waiter: AskWaiter, error: unknown): void {
    this.remove(asker, waiter);
    this.settled(asker);
    waiter.reject(error);
  }

  /** Rejects every pending call of a process that is going away. */
  rejectAll(asker: ProcessRecord, error: unknown): void {
    const waiters = asker.askWaiters;
    if (waiters === null) return;
    asker.askWaiters = null;
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private remove(asker: ProcessRecord, waiter: AskWaiter): void {
    clearTimeout(waiter.timer);
    const waiters = asker.askWaiters;
    if (waiters === null) return;
    const index = waiters.indexOf(waiter);
    if (index >= 0) waiters.splice(index, 1);
    if (waiters.length === 0) asker.askWaiters = null;
  }
}
