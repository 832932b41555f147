import { describe, expect, it } from '@jest/globals';
import type { FrameworkInfo } from '../../../lib/mesos/mesos.types.js';
import { Upid } from '../../../lib/index.js';
import { fromProto } from '../../../lib/mesos/testing/common/resources.js';
import { FrameworkRegistry } from '../../../lib/mesos/testing/master/framework-registry.js';

const info = (id: string): FrameworkInfo => ({
  user: 'u',
  name: 'n',
  id: { value: id },
  roles: [],
});
const pid = (port: number) => new Upid('scheduler', '127.0.0.1', port);

describe('FrameworkRegistry', () => {
  it('numbers framework ids as Master::newFrameworkId and indexes frameworks by pid', () => {
    const registry = new FrameworkRegistry('M');
    expect([registry.newFrameworkId(), registry.newFrameworkId()]).toEqual([
      'M-0000',
      'M-0001',
    ]);
    const framework = registry.add(info('M-0000'), pid(1), 5);
    expect(registry.findByPid(pid(1))).toBe(framework);
    registry.setPid(framework, pid(2));
    expect(registry.findByPid(pid(1))).toBeUndefined();
    expect(registry.findByPid(pid(2))).toBe(framework);
    expect(framework).toMatchObject({
      connected: true,
      active: true,
      recovered: false,
      registeredTime: 5,
    });
    expect(registry.add(info('R'), undefined, 6)).toMatchObject({
      connected: false,
      recovered: true,
    });
  });

  it('keeps removed frameworks as completed, bounded like --max_completed_frameworks', () => {
    const registry = new FrameworkRegistry('M', 2);
    for (const id of ['a', 'b', 'c'])
      registry.remove(registry.add(info(id), pid(1), 0), 10);
    expect(registry.isCompleted('a')).toBe(false);
    expect([...registry.completedFrameworks()].map((f) => f.id)).toEqual([
      'b',
      'c',
    ]);
    expect(registry.get('c')).toBeUndefined();
    expect(registry.findByPid(pid(1))).toBeUndefined();
  });

  it('indexes offers globally and accounts tasks plus offers as allocated', () => {
    const registry = new FrameworkRegistry('M');
    const framework = registry.add(info('f'), pid(1), 0);
    const resources = fromProto([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
    ] as never);
    registry.addOffer(framework, {
      offer: { id: { value: 'o1' } } as never,
      frameworkId: 'f',
      agentId: 'S0',
      resources,
    });
    framework.tasks.set('t', {
      frameworkId: 'f',
      taskId: 't',
      agentId: 'S0',
      info: {} as never,
      resources,
      state: 'TASK_RUNNING',
    });
    expect(registry.allocated(framework).get('cpus')).toBe(2);
    expect(registry.removeOffer('o1')?.agentId).toBe('S0');
    expect(framework.offers.size).toBe(0);
    expect(registry.removeTask(framework, 't')?.taskId).toBe('t');
    expect(framework.completedTasks.toArray().map((t) => t.taskId)).toEqual([
      't',
    ]);
  });
});
