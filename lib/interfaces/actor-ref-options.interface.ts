import type { Upid } from '../wire/upid.js';
import type { ProtobufTypeRef } from './protobuf-type.interface.js';

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

/**
 * Options of `ActorRef.sendProto()`.
 *
 * @publicApi
 */
export interface ProtoSendOptions extends SendOptions {
  /** Message name, when it is not the type's full name. */
  name?: string;
}

/**
 * Options of `ActorRef.askProto()`.
 *
 * @publicApi
 */
export interface ProtoAskOptions extends Omit<AskOptions, 'reply'> {
  /** Type of the reply (its full name is the reply's message name, unless `replyName`). */
  reply: ProtobufTypeRef;
  replyName?: string;
  /** Name of the request, when it is not its type's full name. */
  name?: string;
}

/**
 * The reply resolved by `ActorRef.askProto()`: the decoded message, its sender and raw body.
 *
 * @publicApi
 */
export interface ProtoAskReply<T = unknown> extends AskReply {
  message: T;
}

/**
 * Options of `ActorRef.terminate()`.
 *
 * @publicApi
 */
export interface TerminateOptions {
  /**
   * Let the process handle what is already queued first (libprocess' `terminate(pid,
   * false)`); messages that arrive after this call are not handled. Default: drop them.
   */
  drain?: boolean;
}
