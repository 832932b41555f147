import { describe, expect, it } from '@jest/globals';
import { Upid } from '../../../lib/index.js';
import type { FrameworkInfo, TaskInfo } from '../../../lib/mesos/index.js';
import {
  type CommandTaskContext,
  commandTaskEnvironment,
  commandTaskSandbox,
  stoutDuration,
} from '../../../lib/mesos/testing/agent/executor-environment.js';

function context(
  task: Partial<TaskInfo> = {},
  framework: Partial<FrameworkInfo> = {},
): CommandTaskContext {
  return {
    agentId: 'M-S0',
    agentPid: new Upid('slave(1)', '127.0.0.1', 5051),
    workDir: '/work',
    frameworkId: 'M-0000',
    framework: { user: 'u', name: 'n', ...framework } as FrameworkInfo,
    task: {
      name: 't',
      task_id: { value: 't-1' },
      slave_id: { value: 'M-S0' },
      command: { value: 'true' },
      ...task,
    } as TaskInfo,
    containerId: 'c',
  };
}

describe('the command executor environment (slave.cpp executorEnvironment, executor.cpp)', () => {
  it('prints durations as stout does: the unit of their size, or a smaller one that makes a whole number', () => {
    expect(
      [0, 999, 1500, 100e6, 1.5e6, 2e9, 4.5e9, 90e9, 15 * 60e9, 3600e9].map(
        stoutDuration,
      ),
    ).toEqual([
      '0ns',
      '999ns',
      '1500ns',
      '100ms',
      '1500us',
      '2secs',
      '4500ms',
      '90secs',
      '15mins',
      '1hrs',
    ]);
    expect(stoutDuration(1e9 / 3)).toBe('333.333333333333ms');
  });

  it('puts the sandbox under the work dir by agent, framework, executor (the task id) and container', () => {
    expect(commandTaskSandbox(context())).toBe(
      '/work/slaves/M-S0/frameworks/M-0000/executors/t-1/runs/c',
    );
  });

  it("adds CommandInfo.environment (not secrets) over the executor's, then the allocation role of the task's resources", () => {
    const env = commandTaskEnvironment(
      context(
        {
          command: {
            value: 'true',
            environment: {
              variables: [
                { name: 'PATH', value: '/opt/bin' },
                { name: 'MESOS_ALLOCATION_ROLE', value: 'mine' },
                { name: 'TOKEN', type: 'SECRET', secret: {} },
              ],
            },
          },
          resources: [
            {
              name: 'cpus',
              type: 'SCALAR',
              scalar: { value: 1 },
              allocation_info: { role: 'web' },
            },
          ],
        } as Partial<TaskInfo>,
        { roles: ['web'], capabilities: [{ type: 'MULTI_ROLE' }] },
      ),
      '/sandbox',
    );
    expect(env).toMatchObject({
      PATH: '/opt/bin',
      MESOS_ALLOCATION_ROLE: 'web',
      MESOS_SANDBOX: '/sandbox',
      MESOS_DIRECTORY: '/sandbox',
      MESOS_EXECUTOR_ID: 't-1',
    });
    expect(env).not.toHaveProperty('TOKEN');
    expect(env).not.toHaveProperty('MESOS_TASK_ID');
  });
});
