import { Inject, Injectable, Optional } from '@nestjs/common';
import { PENDING, type TaskRecord } from './task-registry.js';

/** Where the run's progress lines go (stdout by default; tests capture it). */
export const RUN_OUTPUT = Symbol('RUN_OUTPUT');

export interface RunOutput {
  write(text: string): unknown;
}

/** How a run ended: every task terminal (then torn down), aborted, or interrupted. */
export interface RunResult {
  frameworkId?: string;
  tasks: TaskRecord[];
  /** Every task FINISHED. */
  succeeded: boolean;
  /** Why the run stopped before all tasks were terminal (FrameworkErrorMessage, SIGINT...). */
  abortReason?: string;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) {
    return '-';
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(2)}s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** One readable line per task state change: `[+1.02s] task-1  TASK_RUNNING  on host (agent S0)`. */
export function formatProgress(task: TaskRecord, elapsedMs: number): string {
  const where = task.hostname ? ` on ${task.hostname}` : '';
  const message = task.message ? `: ${task.message}` : '';
  const note = task.state === PENDING ? ' (will be launched again)' : '';
  return `[+${(elapsedMs / 1000).toFixed(2)}s] ${task.id.padEnd(8)} ${task.state.padEnd(14)}${where}${message}${note}`;
}

/** The final table (task, state, agent, duration) and a one-line verdict. */
export function formatSummary(result: RunResult, now: number): string {
  const rows = result.tasks.map((task) => [
    task.id,
    task.state,
    task.agentId ?? '-',
    formatDuration(
      task.launchedAt === undefined
        ? undefined
        : (task.endedAt ?? now) - task.launchedAt,
    ),
  ]);
  const header = ['TASK', 'STATE', 'AGENT', 'DURATION'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const finished = result.tasks.filter(
    (task) => task.state === 'TASK_FINISHED',
  ).length;
  const verdict = result.abortReason
    ? `Aborted: ${result.abortReason}. ${finished}/${result.tasks.length} tasks finished.`
    : `${finished}/${result.tasks.length} tasks finished${result.succeeded ? '' : ' (exit code 1)'}.`;
  return [line(header), ...rows.map(line), '', verdict].join('\n');
}

/** Writes a progress line per task state change, timed from the scheduler's start. */
@Injectable()
export class RunReporter {
  private readonly startedAt = Date.now();

  constructor(
    @Optional()
    @Inject(RUN_OUTPUT)
    private readonly output: RunOutput = process.stdout,
  ) {}

  progress(task: TaskRecord): void {
    this.output.write(`${formatProgress(task, Date.now() - this.startedAt)}\n`);
  }
}
