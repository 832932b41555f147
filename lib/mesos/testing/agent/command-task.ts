import { type ChildProcess, spawn } from 'node:child_process';
import type {
  TaskInfo,
  TaskState,
  TaskStatus_Reason,
} from '../../mesos.types.js';

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

/**
 * What the command executor (src/launcher/executor.cpp) reports when its command starts, fails
 * to start or ends: an exit status of 0 finishes the task, a task the framework killed is
 * KILLED unless it exited with 0, anything else FAILED with the signal or the exit status.
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
  if (event.code === 0) {
    return { state: 'TASK_FINISHED', message: 'Command exited with status 0' };
  }
  if (killed) {
    return {
      state: 'TASK_KILLED',
      message: `Command terminated with signal ${event.signal ?? 'SIGTERM'}`,
    };
  }
  return {
    state: 'TASK_FAILED',
    message: event.signal
      ? `Command terminated with signal ${event.signal}`
      : `Command exited with status ${event.code}`,
  };
}

/**
 * A task's command run as the Mesos command executor runs it: `sh -c <value>` (or the binary
 * with its arguments when `shell` is false), in its own process group so that a kill reaches
 * everything it started, with MESOS_TASK_ID and MESOS_FRAMEWORK_ID in its environment. No
 * container, sandbox, fetcher or resource limits.
 */
export class CommandTask {
  private child?: ChildProcess;
  private ended = false;
  killed = false;

  constructor(
    readonly info: TaskInfo,
    readonly frameworkId: string,
    private readonly onEvent: (event: CommandEvent) => void,
  ) {}

  start(): void {
    const command = this.info.command;
    const [file, args] =
      command?.shell === false
        ? [command.value ?? '', (command.arguments ?? []).slice(1)]
        : ['/bin/sh', ['-c', command?.value ?? '']];
    const child = spawn(file, args, {
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
      env: {
        ...process.env,
        MESOS_TASK_ID: this.info.task_id?.value ?? '',
        MESOS_FRAMEWORK_ID: this.frameworkId,
      },
    });
    this.child = child;
    child.once('spawn', () => this.onEvent({ kind: 'started' }));
    child.once('error', (error) =>
      this.end({ kind: 'failed', error: error.message }),
    );
    child.once('close', (code, signal) =>
      this.end({ kind: 'ended', code, signal }),
    );
  }

  get running(): boolean {
    return this.child !== undefined && !this.ended;
  }

  /** SIGTERM (a kill) or SIGKILL (framework shutdown) to the whole process group. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.killed = true;
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
    this.onEvent(event);
  }
}
