import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';

import { waitFor } from '../../support/wait-for.js';

/**
 * Whether OS process `pid` has exited. A zombie counts as gone: a master restarted by a
 * test is reaped by whoever inherited it, which may take a while (or never, under an init
 * that does not reap).
 */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * The suite's `waitFor` at a 100 ms interval: most observations of a real cluster are HTTP
 * requests to the master or the agent, and 100 ms spares them a flood of requests.
 */
export function pollUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return waitFor(condition, timeoutMs, what, { intervalMs: 100 });
}

/** The text of `path` from byte `from` on ('' when it is shorter). */
export function readFrom(path: string, from: number): string {
  const size = statSync(path).size;
  if (size <= from) return '';
  const buffer = Buffer.alloc(size - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/**
 * Resolves with the first line of the log at `path`, after byte `from`, that matches
 * `pattern`; rejects after `timeoutMs`, or at once when `died()` says the writer is gone.
 */
export async function waitForLogLine(
  path: string,
  from: number,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
  died: () => boolean = () => false,
): Promise<string> {
  let found: string | undefined;
  await pollUntil(
    () => {
      found = readFrom(path, from)
        .split('\n')
        .find((line) => pattern.test(line));
      if (found === undefined && died()) {
        throw new Error(
          `${what}: the process exited; log:\n${readFrom(path, from).slice(-2000)}`,
        );
      }
      return found !== undefined;
    },
    timeoutMs,
    what,
  );
  return found!;
}
