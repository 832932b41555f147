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

  it('finishes on exit status 0, even after a kill', () => {
    for (const killed of [false, true]) {
      expect(
        commandStatus({ kind: 'ended', code: 0, signal: null }, killed),
      ).toEqual({
        state: 'TASK_FINISHED',
        message: 'Command exited with status 0',
      });
    }
  });

  it('reports a killed task KILLED with its signal (SIGTERM when it exited by itself)', () => {
    expect(
      commandStatus({ kind: 'ended', code: null, signal: 'SIGKILL' }, true),
    ).toEqual({
      state: 'TASK_KILLED',
      message: 'Command terminated with signal SIGKILL',
    });
    expect(
      commandStatus({ kind: 'ended', code: 143, signal: null }, true),
    ).toEqual({
      state: 'TASK_KILLED',
      message: 'Command terminated with signal SIGTERM',
    });
  });

  it('fails a task that was not killed with its signal or exit status', () => {
    expect(
      commandStatus({ kind: 'ended', code: null, signal: 'SIGSEGV' }, false),
    ).toEqual({
      state: 'TASK_FAILED',
      message: 'Command terminated with signal SIGSEGV',
    });
    expect(
      commandStatus({ kind: 'ended', code: 3, signal: null }, false),
    ).toEqual({
      state: 'TASK_FAILED',
      message: 'Command exited with status 3',
    });
  });
});
