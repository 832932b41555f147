import type { Upid } from '../wire/upid.js';

/**
 * What the runtime uses of the wire: a listening `WireNode` (its pids, outbound messages,
 * remote links and their 'linked' / 'exited' / 'error' events).
 */
export interface RuntimeTransport {
  readonly listening: boolean;
  readonly address: { ip: string; port: number };
  pid(id: string): Upid;
  send(from: Upid, to: Upid, name: string, body?: Uint8Array | string): void;
  link(from: Upid, to: Upid): void;
  unlink(from: Upid, to: Upid): void;
  linksOf(from: Upid): Upid[];
  /** Connection counts and inbound backpressure for the metrics (a `WireNode` has them). */
  readonly inboundStats?: {
    readonly connections: number;
    readonly notReading: number;
    readonly queuedBytes: number;
  };
  readonly outboundStats?: { readonly connections: number };
  on(event: 'linked' | 'exited', listener: LinkListener): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'linked' | 'exited', listener: LinkListener): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

type LinkListener = (from: Upid, to: Upid) => void;

/**
 * Where the runtime writes its log lines. The Nest layer passes an adapter over Nest's
 * `Logger`; without one the runtime writes warnings and errors to the console.
 */
export interface RuntimeLogger {
  /** Whether `debug()` lines are written (checked before building one per message). */
  isDebugEnabled(): boolean;
  debug(message: string): void;
  warn(message: string): void;
  /**
   * A handler failed: `message` names the process, what ran and the sender. The logger
   * decides the level (the Nest layer logs a guard's denial as a warning without stack).
   */
  handlerFailed(message: string, error: unknown): void;
}

/**
 * Builds the context object a mailbox handler receives with a message (the Nest layer builds
 * a `LibprocessContext`). Only called for handlers that read it.
 */
export type MessageContextFactory = (
  from: Upid,
  to: Upid,
  name: string,
  body: Buffer,
) => unknown;

/** Wraps one handler call, e.g. to run Nest's processing (tracing) hooks around it. */
export type ProcessingWrapper = (
  context: unknown,
  invoke: () => unknown,
) => unknown;

/** Options of a `ProcessManager`. */
export interface ProcessManagerOptions {
  logger?: RuntimeLogger;
  createContext?: MessageContextFactory;
  /**
   * Id of the process that receives the messages and HTTP requests whose first path segment
   * names no process of this node, as libprocess' `process::initialize(delegate)`: the path
   * is rewritten to `/<delegate><original path>` (a message `x/y` to no process `x`
   * reaches the delegate as `x/y`, `GET /state` its route `state`).
   */
  delegate?: string;
}

/** The context of a message when no factory is given. */
export interface MessageContext {
  readonly from: Upid;
  readonly to: Upid;
  readonly name: string;
  readonly body: Buffer;
}

export const createPlainContext: MessageContextFactory = (
  from,
  to,
  name,
  body,
): MessageContext => ({ from, to, name, body });

/** Warnings and errors to the console, no debug lines. */
export const CONSOLE_LOGGER: RuntimeLogger = {
  isDebugEnabled: () => false,
  debug: () => undefined,
  warn: (message) => console.warn(`[libprocess] ${message}`),
  handlerFailed: (message, error) =>
    console.error(
      `[libprocess] ${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    ),
};
