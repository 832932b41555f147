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
