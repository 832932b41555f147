import { spawn, type ChildProcess } from 'node:child_process';
import { LineReader } from './line-reader.js';

/** Children still running, killed by {@link stopAllSpawned} and, as a last resort, at exit. */
const running = new Set<SpawnedProcess>();

process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * How long a child may take to print its first line (a server's PID): a safety net that
 * turns a hang into a failure, never a speed check. Starting Python or Node on a loaded
 * 2-core machine can take seconds; a child that dies instead is reported at once (its stdout
 * ends), so a generous value never delays a failure.
 */
export const STARTUP_TIMEOUT_MS = 60_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process (a reference peer or the TypeScript peer CLI) with its stdout read as lines
 * and its stderr kept for error messages. Every instance is tracked until it exits, so a failing
 * test can never leave a server running: call {@link stopAllSpawned} in `afterEach`/`afterAll`.
 */
export class SpawnedProcess {
  readonly stdout: LineReader;
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private stderrText = '';
  private status?: ExitStatus;

  private constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
    cwd?: string,
  ) {
    this.child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: env ? { ...process.env, ...env } : process.env,
      cwd,
    });
    this.stdout = new LineReader(this.child.stdout!, label);
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      // Keep only the end: a verbose peer can log megabytes.
      this.stderrText = (this.stderrText + chunk).slice(-4000);
    });
    running.add(this);
    this.exited = new Promise<ExitStatus>((resolve) => {
      const done = (status: ExitStatus) => {
        running.delete(this);
        this.status ??= status;
        resolve(this.status);
      };
      // 'close', not 'exit': by then stdout has been read to the end, so the result line is in.
      this.child.once('close', (code, signal) => done({ code, signal }));
      // spawn failures (ENOENT, EACCES) emit 'error' and may never emit 'exit'.
      this.child.once('error', (err) => {
        this.stderrText += `\nspawn error: ${err.message}`;
        done({ code: null, signal: null });
      });
    });
  }

  /**
   * Starts `command args...` (with `env` added to this process' environment, in `cwd`);
   * `label` names the process in every error message.
   */
  static start(
    label: string,
    command: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
    cwd?: string,
  ): SpawnedProcess {
    return new SpawnedProcess(label, command, args, env, cwd);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last few KiB the process wrote to stderr. */
  get stderr(): string {
    return this.stderrText;
  }

  get hasExited(): boolean {
    return !running.has(this);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.hasExited) this.child.kill(signal);
  }

  /** Resolves with the exit status, or rejects (and kills the child) after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        reject(
          new Error(
            `${this.label}: still running after ${timeoutMs} ms (stdout: ${JSON.stringify(
              this.stdout.seen.slice(-5),
            )}, stderr: ${this.stderr.slice(-800)})`,
          ),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the process and waits until the OS has reaped it. */
  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}

/** Kills every child started through {@link SpawnedProcess} that is still running. */
export async function stopAllSpawned(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}
