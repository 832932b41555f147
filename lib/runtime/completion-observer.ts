import type { Observable, Observer } from 'rxjs';

/**
 * Waits for the stream a handler returned, without a promise: `subscribe()` tells whether
 * it already ended while subscribing (the common case of a synchronous handler behind a
 * pass-through interceptor), so that the process' next message can run at once; a later
 * end goes to `resume` (with the last value) or `fail`. One per process, reused: a process
 * waits for one handler at a time.
 */
export class CompletionObserver implements Observer<unknown> {
  /** After `subscribe()` returned true: whether the stream failed; its last value or error. */
  failed = false;
  value: unknown = undefined;
  private subscribing = false;
  private ended = false;

  constructor(
    private readonly resume: (value: unknown) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  /** Subscribes; true when the stream ended during the call (see `failed`, `value`). */
  subscribe(stream: Observable<unknown>): boolean {
    this.failed = this.ended = false;
    this.value = undefined;
    this.subscribing = true;
    try {
      stream.subscribe(this);
    } catch (error) {
      // A foreign observable may throw instead of reporting the error.
      if (!this.ended) this.error(error);
    } finally {
      this.subscribing = false;
    }
    return this.ended;
  }

  next(value: unknown): void {
    this.value = value;
  }

  error(error: unknown): void {
    if (this.subscribing) {
      this.ended = this.failed = true;
      this.value = error;
      return;
    }
    this.value = undefined;
    this.fail(error);
  }

  complete(): void {
    if (this.subscribing) {
      this.ended = true;
      return;
    }
    const value = this.value;
    this.value = undefined;
    this.resume(value);
  }
}
