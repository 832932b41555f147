import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type {
  FrameworkInfo,
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from '../../mesos.types.js';
import {
  type CommandTaskContext,
  commandTaskEnvironment,
  commandTaskSandbox,
} from './executor-environment.js';

/** What happened to a task's command. */
export type CommandEvent =
  | { kind: 'started' }
  | { kind: 'ended'; code: number | null; signal: string | null }
  | { kind: 'failed'; error: string };

/** The status the command executor reports for a command event. */
export interface CommandStatus {
  state: TaskState;
  message?: string;
  reason?: TaskStatus_Reason;
}

/** strsignal(3) (glibc) of the signals that end a process, for {@link waitStatus}. */
const SIGNAL_DESCRIPTIONS: Partial<Record<NodeJS.Signals, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGSTKFLT: 'Stack fault',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
  SIGVTALRM: 'Virtual timer expired',
  SIGPROF: 'Profiling timer expired',
  SIGIO: 'I/O possible',
  SIGPWR: 'Power failure',
  SIGSYS: 'Bad system call',
};

/** WSTRINGIFY (src/common/status_utils.hpp): how a process ended, in words. */
export function waitStatus(code: number | null, signal: string | null): string {
  return signal
    ? `terminated with signal ${SIGNAL_DESCRIPTIONS[signal as NodeJS.Signals] ?? signal}`
    : `exited with status ${code}`;
}

/**
 * What the command executor (src/launcher/executor.cpp) reports when its command starts, fails
 * to start or ends (`reaped`): a task the framework killed is KILLED however it ended (exit
 * status 0 included), otherwise an exit status of 0 finishes it and anything else fails it;
 * the message is the wait status in words.
 */
export function commandStatus(
  event: CommandEvent,
  killed: boolean,
): CommandStatus {
  if (event.kind === 'started') return { state: 'TASK_RUNNING' };
  if (event.kind === 'failed') {
    return {
      state: 'TASK_FAILED',
      message: `Failed to launch the command: ${event.error}`,
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
    };
  }
  const message = `Command ${waitStatus(event.code, event.signal)}`;
  if (killed) return { state: 'TASK_KILLED', message };
  return {
    state: event.code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED',
    message,
  };
}

/** The command executor's kill grace period when the task has no kill policy. */
const DEFAULT_KILL_GRACE_PERIOD_MS = 3000;

/** The grace period of a kill policy (the KILL call's, else the task's), in ms. */
export function killGracePeriodMs(
  policy: TaskInfo['kill_policy'] | undefined,
): number {
  const nanoseconds = policy?.grace_period?.nanoseconds;
  return nanoseconds === undefined
    ? DEFAULT_KILL_GRACE_PERIOD_MS
    : Number(nanoseconds) / 1e6;
}

/** The agent a command task runs on. */
export type CommandTaskAgent = Pick<
  CommandTaskContext,
  'agentId' | 'agentPid' | 'workDir'
>;

/**
 * A task's command run as the Mesos command executor runs it: `sh -c <value>` (or the binary
 * with its arguments when `shell` is false), in its own process group so that a kill reaches
 * everything it started, in its sandbox (created under the agent's work dir, kept after the
 * task as Mesos keeps it; stdout and stderr go to files there) with the command executor's
 * environment (see {@link commandTaskEnvironment}). No container, fetcher or resource limits.
 */
export class CommandTask {
  private child?: ChildProcess;
  private ended = false;
  private escalation?: NodeJS.Timeout;
  killed = false;

  constructor(
    readonly info: TaskInfo,
    readonly frameworkId: string,
    private readonly framework: FrameworkInfo,
    private readonly agent: CommandTaskAgent,
    private readonly onEvent: (event: CommandEvent) => void,
  ) {}

  start(): void {
    const context: CommandTaskContext = {
      ...this.agent,
      frameworkId: this.frameworkId,
      framework: this.framework,
      task: this.info,
      containerId: randomUUID(),
    };
    const sandbox = commandTaskSandbox(context);
    const command = this.info.command;
    const [file, args] =
      command?.shell === false
        ? [command.value ?? '', (command.arguments ?? []).slice(1)]
        : ['/bin/sh', ['-c', command?.value ?? '']];
    const output: number[] = [];
    try {
      mkdirSync(sandbox, { recursive: true });
      for (const name of ['stdout', 'stderr'])
        output.push(openSync(join(sandbox, name), 'a'));
      const child = spawn(file, args, {
        cwd: sandbox,
        stdio: ['ignore', output[0], output[1]],
        detached: true,
        env: commandTaskEnvironment(context, sandbox),
      });
      this.child = child;
      child.once('spawn', () => this.onEvent({ kind: 'started' }));
      child.once('error', (error) =>
        this.end({ kind: 'failed', error: error.message }),
      );
      child.once('close', (code, signal) =>
        this.end({ kind: 'ended', code, signal }),
      );
    } catch (error) {
      // No sandbox (an unwritable work dir): the executor cannot start the command.
      queueMicrotask(() =>
        this.end({ kind: 'failed', error: (error as Error).message }),
      );
    } finally {
      // The child has its own copies.
      for (const fd of output) closeSync(fd);
    }
  }

  get running(): boolean {
    return this.child !== undefined && !this.ended;
  }

  /**
   * A kill (executor.cpp `kill`): SIGTERM to the process group, SIGKILL if the command still
   * runs after `gracePeriodMs`. Once killed, a second kill changes nothing.
   */
  kill(gracePeriodMs: number): void {
    if (this.killed) return;
    this.killed = true;
    this.signal('SIGTERM');
    if (this.running) {
      this.escalation = setTimeout(() => this.signal('SIGKILL'), gracePeriodMs);
    }
  }

  /** SIGKILL to the process group at once: the container goes (task ended, framework shut down). */
  destroy(): void {
    this.killed = true;
    clearTimeout(this.escalation);
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.ended) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  }

  private end(event: CommandEvent): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.escalation);
    this.onEvent(event);
  }
}
