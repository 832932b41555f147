import type { Upid } from '../wire/upid.js';

/**
 * Statuses of `LibprocessServer.status`.
 *
 * @publicApi
 */
export enum LibprocessStatus {
  LISTENING = 'listening',
  CLOSED = 'closed',
}

/**
 * Event names of `LibprocessServer.on()`.
 *
 * @publicApi
 */
export enum LibprocessEventsMap {
  /** A link of a local process is established: `(from, to)`. */
  LINKED = 'linked',
  /** A process a local process linked to went away: `(from, to)`, once per link. */
  EXITED = 'exited',
  /** A send failed (peer unreachable, backpressure limit) or the listener failed. */
  ERROR = 'error',
}

/**
 * Listener signatures of `LibprocessServer.on()`.
 *
 * @publicApi
 */
export type LibprocessEvents = {
  linked: (from: Upid, to: Upid) => void;
  exited: (from: Upid, to: Upid) => void;
  error: (error: Error) => void;
};
