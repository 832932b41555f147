import { describe, expect, it } from '@jest/globals';
import { commandStatus } from '../../../lib/mesos/testing/agent/command-task.js';

describe('commandStatus (what the command executor reports)', () => {
  it('reports RUNNING once the command started, FAILED when it could not start', () => {
    expect(commandStatus({ kind: 'started' }, false)).toEqual({
      state: 'TASK_RUNNING',
    });
    expect(
      commandStatus({ kind: 'failed', error: 'spawn /nope ENOENT' }, false),
    ).toEqual({
      state: 'TASK_FAILED',
      message: 'Failed to launch the command: spawn /nope ENOENT',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
    });
  });

  it('finishes on exit status 0 and fails on anything else, with the wait status in words (strsignal)', () => {
    expect(
      [
        { code: 0, signal: null },
        { code: 3, signal: null },
        { code: null, signal: 'SIGSEGV' },
        { code: null, signal: 'SIGRTMIN' },
      ].map((end) => commandStatus({ kind: 'ended', ...end }, false)),
    ).toEqual([
      { state: 'TASK_FINISHED', message: 'Command exited with status 0' },
      { state: 'TASK_FAILED', message: 'Command exited with status 3' },
      {
        state: 'TASK_FAILED',
        message: 'Command terminated with signal Segmentation fault',
      },
      {
        state: 'TASK_FAILED',
        message: 'Command terminated with signal SIGRTMIN',
      },
    ]);
  });

  it('reports a killed task KILLED however it ended (executor.cpp reaped: `killed` before the exit status)', () => {
    expect(
      [
        { code: 0, signal: null },
        { code: 143, signal: null },
        { code: null, signal: 'SIGTERM' },
        { code: null, signal: 'SIGKILL' },
      ].map((end) => commandStatus({ kind: 'ended', ...end }, true)),
    ).toEqual([
      { state: 'TASK_KILLED', message: 'Command exited with status 0' },
      { state: 'TASK_KILLED', message: 'Command exited with status 143' },
      {
        state: 'TASK_KILLED',
        message: 'Command terminated with signal Terminated',
      },
      {
        state: 'TASK_KILLED',
        message: 'Command terminated with signal Killed',
      },
    ]);
  });
});
