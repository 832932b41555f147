import type { Upid } from '../wire/upid.js';

/** Log lines of the runtime (the errors it throws carry their own text). */
export const HANDLER_FAILED = (
  pid: Upid | string,
  what: string,
  from: Upid | string | undefined,
) =>
  `Process "${pid}" failed in ${what}${from ? ` (message from "${from}")` : ''}`;
export const UNKNOWN_MAILBOX = (pid: Upid | string, name: string, from: Upid) =>
  `Process "${pid}" has no mailbox "${name}"; dropped the message from "${from}"`;
export const UNDECODABLE_PROTOBUF = (
  pid: Upid | string,
  name: string,
  from: Upid,
  reason: string,
) =>
  `Process "${pid}" dropped "${name}" from "${from}": the body is not a valid protobuf message (${reason})`;
export const NO_LOCAL_PROCESS = (name: string, from: Upid, to: Upid) =>
  `Dropped "${name}" from "${from}": no process "${to}" on this node`;
export const DROPPED_ON_SHUTDOWN = (
  count: number,
  ms: number,
  perProcess: readonly string[],
) =>
  `Dropped ${count} queued message(s) that did not run within the shutdown grace period of ${ms} ms` +
  ` (${perProcess.slice(0, 10).join(', ')}${perProcess.length > 10 ? `, and ${perProcess.length - 10} more processes` : ''})`;
export const HANDLER_RUNNING_AT_SHUTDOWN = (pid: Upid | string, ms: number) =>
  `Process "${pid}" was still running a handler when the shutdown grace period of ${ms} ms ended; it was not waited for`;
