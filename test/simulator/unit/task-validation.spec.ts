import { describe, expect, it } from '@jest/globals';
import type { TaskInfo } from '../../../lib/mesos/mesos.types.js';
import { fromProto } from '../../../lib/mesos/testing/common/resources.js';
import {
  validateId,
  validateTask,
  type TaskValidationContext,
} from '../../../lib/mesos/testing/master/task-validation.js';

const context = (
  overrides: Partial<TaskValidationContext> = {},
): TaskValidationContext => ({
  agentId: 'S0',
  available: fromProto([
    { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 128 } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: '31000', end: '31009' }] },
    },
  ] as never),
  hasTask: () => false,
  hasUnreachableTask: () => false,
  ...overrides,
});

const task = (overrides: Record<string, unknown> = {}): TaskInfo =>
  ({
    name: 't',
    task_id: { value: 't1' },
    slave_id: { value: 'S0' },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
    command: { value: 'true' },
    ...overrides,
  }) as unknown as TaskInfo;

describe('validateTask (src/master/validation.cpp, same order and messages)', () => {
  it('accepts a command task that fits the offered resources', () => {
    expect(validateTask(task(), context())).toBeUndefined();
  });

  it.each([
    [
      'an empty id',
      task({ task_id: { value: '' } }),
      'Task has an invalid TaskID: ID must not be empty',
    ],
    [
      'a slash in the id',
      task({ task_id: { value: 'a/b' } }),
      "Task has an invalid TaskID: 'a/b' contains invalid characters",
    ],
    [
      'another agent',
      task({ slave_id: { value: 'S9' } }),
      'Task uses invalid agent S9 while agent S0 is expected',
    ],
    ['no resources', task({ resources: [] }), 'Task uses no resources'],
    [
      'no command and no executor',
      task({ command: undefined }),
      'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present',
    ],
    [
      'more than offered',
      task({
        resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 256 } }],
      }),
      'Total resources mem:256 required by task and its executor is more than available cpus:1; mem:128; ports:[31000-31009]',
    ],
    [
      'ports outside the offer',
      task({
        resources: [
          {
            name: 'ports',
            type: 'RANGES',
            ranges: { range: [{ begin: '31005', end: '31010' }] },
          },
        ],
      }),
      'Total resources ports:[31005-31010] required by task and its executor is more than available cpus:1; mem:128; ports:[31000-31009]',
    ],
  ])('refuses %s', (_what, info, message) => {
    expect(validateTask(info, context())).toBe(message);
  });

  it('refuses a duplicate id (fault C: relaunching with the same task ids) and the id of an unreachable task', () => {
    expect(
      validateTask(task(), context({ hasTask: (id) => id === 't1' })),
    ).toBe('Task has duplicate ID: t1');
    expect(
      validateTask(
        task(),
        context({ hasUnreachableTask: (id) => id === 't1' }),
      ),
    ).toBe('Task reuses the ID of an unreachable task: t1');
  });

  it('validates ids as common/validation.cpp does', () => {
    expect(validateId('ok-1')).toBeUndefined();
    expect(validateId('.')).toBe("'.' is disallowed");
    expect(validateId('x'.repeat(256))).toBe(
      'ID must not be greater than 255 characters',
    );
  });
});
