import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What a finished child printed and how it ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// Every child this harness starts, so an interrupted run (Ctrl-C, a crash) leaves none behind.
const children = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    process.exit(130);
  });
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to completion (killed after `timeoutMs`), collecting stdout and stderr. */
export function runChild(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = track(
      spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env }),
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    // Peers log to stderr; keep only the tail, enough to explain a failure.
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      stderr += String(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The last line of `stdout` that parses as a JSON object, or undefined. */
export function lastJsonLine(
  stdout: string,
): Record<string, unknown> | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A partial line from a killed child: look further up.
    }
  }
  return undefined;
}

/** A long-running child (a peer server) whose first matching stdout line is awaited. */
export class LongRunningChild {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private stderrTail = '';

  constructor(command: string, args: readonly string[]) {
    this.child = track(
      spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    this.exited = new Promise((resolve) =>
      this.child.once('close', () => resolve()),
    );
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-2000);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the first stdout line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.child.stdout! });
      const settle = (line: string | undefined, why?: string) => {
        clearTimeout(timer);
        this.child.off('close', onClose);
        lines.close();
        // Keep draining stdout so a chatty server never blocks on a full pipe.
        this.child.stdout!.resume();
        if (line !== undefined) resolve(line);
        else
          reject(
            new Error(`${why}; stderr: ${this.stderrTail.trim().slice(-500)}`),
          );
      };
      const onClose = (code: number | null) =>
        settle(undefined, `exited with status ${code} before printing`);
      const timer = setTimeout(
        () =>
          settle(
            undefined,
            `no line matching ${pattern} within ${timeoutMs} ms`,
          ),
        timeoutMs,
      );
      this.child.once('close', onClose);
      lines.on('line', (line) => {
        if (pattern.test(line.trim())) settle(line.trim());
      });
    });
  }

  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
