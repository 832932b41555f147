import { describe, expect, it } from '@jest/globals';
import {
  formatDuration,
  formatProgress,
  formatSummary,
} from '../../sample/scheduler/run-report.js';
import type { TaskRecord } from '../../sample/scheduler/task-registry.js';

const task = (over: Partial<TaskRecord>): TaskRecord => ({
  id: 'task-1',
  state: 'PENDING',
  launches: 0,
  ...over,
});

describe('run report', () => {
  it('formats durations', () => {
    expect(formatDuration(undefined)).toBe('-');
    expect(formatDuration(42)).toBe('0.04s');
    expect(formatDuration(61_500)).toBe('1m02s');
  });

  it('formats a progress line with host and message', () => {
    const line = formatProgress(
      task({
        state: 'TASK_FAILED',
        hostname: 'localhost',
        message: 'Command exited with status 1',
      }),
      1234,
    );
    expect(line).toBe(
      '[+1.23s] task-1   TASK_FAILED    on localhost: Command exited with status 1',
    );
  });

  it('prints an aligned table and the verdict', () => {
    const summary = formatSummary(
      {
        succeeded: false,
        tasks: [
          task({
            state: 'TASK_FINISHED',
            agentId: 'a-S0',
            launchedAt: 1000,
            endedAt: 1500,
          }),
          task({
            id: 'task-2',
            state: 'TASK_RUNNING',
            agentId: 'a-S0',
            launchedAt: 1000,
          }),
          task({ id: 'task-3' }),
        ],
      },
      3000,
    );
    expect(summary.split('\n')).toEqual([
      'TASK    STATE          AGENT  DURATION',
      'task-1  TASK_FINISHED  a-S0   0.50s',
      'task-2  TASK_RUNNING   a-S0   2.00s',
      'task-3  PENDING        -      -',
      '',
      '1/3 tasks finished (exit code 1).',
    ]);
  });

  it('names the abort reason', () => {
    expect(
      formatSummary(
        { succeeded: false, abortReason: 'boom', tasks: [task({})] },
        0,
      ),
    ).toContain('Aborted: boom. 0/1 tasks finished.');
  });
});
