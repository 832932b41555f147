import type { Upid } from '../wire/upid.js';

/**
 * The sender of a message: a process instance of this node (a provider decorated with
 * `@Process()` or a spawned instance), or its pid.
 *
 * @publicApi
 */
export type ProcessRef = object | Upid | string;

/**
 * @publicApi
 */
export interface SendOptions {
  /**
   * Sending process. Defaults to the process whose handler is running synchronously; pass it
   * explicitly after an `await` or outside a handler.
   */
  from?: ProcessRef;
}

/**
 * @publicApi
 */
export interface AskOptions {
  /** Name of the reply message to wait for. */
  reply: string;
  /** Milliseconds to wait for the reply (default 10000). */
  timeoutMs?: number;
  /**
   * The local process that sends the request and receives the reply (the reply is taken
   * out of its mailbox). Default: a temporary process `ask(N)` that exists for this call.
   */
  from?: ProcessRef;
}

/**
 * The reply resolved by `ActorRef.ask()`.
 *
 * @publicApi
 */
export interface AskReply {
  body: Buffer;
  from: Upid;
}

/**
 * A cancellable delayed dispatch returned by `ActorRef.delay()`.
 *
 * @publicApi
 */
export interface DelayHandle {
  /** Cancels the dispatch if it did not run yet; returns false when it already ran. */
  cancel(): boolean;
  /** True until the delay fires or is cancelled. */
  readonly pending: boolean;
}
