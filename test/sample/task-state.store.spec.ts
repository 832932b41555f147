import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  StateFileError,
  TaskStateStore,
} from '../../sample/scheduler/task-state.store.js';
import { TaskRegistry } from '../../sample/scheduler/task-registry.js';
import type { SampleConfig } from '../../sample/scheduler/sample.config.js';

describe('TaskStateStore', () => {
  let dir: string;
  const config = (over: Partial<SampleConfig> = {}): SampleConfig => ({
    tasks: 3,
    command: 'true',
    cpus: 0.1,
    mem: 32,
    stateDir: dir,
    ...over,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sample-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a registry through the file of its framework id, and removes it', () => {
    const store = new TaskStateStore(config());
    const tasks = new TaskRegistry(config());
    const task1 = tasks.get('task-1')!;
    const first = tasks.markLaunched(task1, 'S0', 'host', 1000);
    tasks.applyStatus(task1, 'TASK_LOST', 'gone', 1500);
    tasks.requeue(task1);
    const second = tasks.markLaunched(task1, 'S1', 'host', 2000);
    tasks.applyStatus(task1, 'TASK_FINISHED', 'done', 3000);
    tasks.markLaunched(tasks.get('task-2')!, 'S0', 'host', 2000);

    store.save({ frameworkId: 'fw-0001', ...tasks.snapshot() });
    const saved = store.load('fw-0001')!;
    const restored = new TaskRegistry(config());
    expect(restored.restore(saved)).toEqual([]);

    expect(restored.all()).toEqual(tasks.all());
    expect(restored.get('task-1')).toMatchObject({
      state: 'TASK_FINISHED',
      mesosId: second,
      launches: 2,
    });
    expect(restored.isStale(first)).toBe(true);
    expect(restored.pending().map((task) => task.id)).toEqual(['task-3']);
    // Written atomically: no temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['fw-0001.json']);

    store.remove('fw-0001');
    expect(store.load('fw-0001')).toBeUndefined();
  });

  it('answers undefined without a file, and names what to do with a file it cannot use', () => {
    const store = new TaskStateStore(config());
    expect(store.load('fw-0001')).toBeUndefined();

    writeFileSync(join(dir, 'fw-0001.json'), '{"version":1,');
    expect(() => store.load('fw-0001')).toThrow(StateFileError);
    expect(() => store.load('fw-0001')).toThrow(/move it away/);

    writeFileSync(
      join(dir, 'fw-0001.json'),
      JSON.stringify({ version: 1, frameworkId: 'other', tasks: [] }),
    );
    expect(() => store.load('fw-0001')).toThrow(
      /\(it records framework other\); move it away/,
    );

    writeFileSync(
      join(dir, 'fw-0001.json'),
      JSON.stringify({ version: 1, frameworkId: 'fw-0001', tasks: [{}] }),
    );
    expect(() => store.load('fw-0001')).toThrow(/malformed tasks/);
  });

  it('reports the recorded tasks beyond --tasks, and a store without a directory records nothing', () => {
    const store = new TaskStateStore(config());
    const bigger = new TaskRegistry(config({ tasks: 4 }));
    store.save({ frameworkId: 'fw', ...bigger.snapshot() });
    expect(new TaskRegistry(config()).restore(store.load('fw')!)).toEqual([
      'task-4',
    ]);

    const off = new TaskStateStore(config({ stateDir: undefined }));
    expect(off.enabled).toBe(false);
    off.save({ frameworkId: 'fw2', tasks: [], stale: [] });
    expect(off.load('fw2')).toBeUndefined();
  });

  it('throws when the file cannot be written, so that the update is not acknowledged', () => {
    const store = new TaskStateStore(config());
    // A directory where the file goes: renaming over it fails (for root too).
    mkdirSync(join(dir, 'fw.json', 'inside'), { recursive: true });
    expect(() =>
      store.save({ frameworkId: 'fw', tasks: [], stale: [] }),
    ).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
  });
});
