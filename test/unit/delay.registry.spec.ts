import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';

import { DelayRegistry } from '../../lib/index.js';
import { ProcessManager } from '../../lib/runtime/process-manager.js';

describe('DelayRegistry', () => {
  let manager: ProcessManager;
  let registry: DelayRegistry;
  beforeEach(() => {
    jest.useFakeTimers();
    manager = new ProcessManager();
    registry = new DelayRegistry();
  });
  afterEach(() => {
    manager.cancelTimers();
    jest.useRealTimers();
  });

  it('names, finds and cancels delays', () => {
    const fired: string[] = [];
    registry.addDelay(
      'a',
      manager.addTimer(100, () => fired.push('a')),
    );
    registry.addDelay(
      'b',
      manager.addTimer(100, () => fired.push('b')),
    );
    expect(registry.getDelays()).toEqual(['a', 'b']);
    expect(registry.doesExist('a')).toBe(true);
    registry.deleteDelay('a');
    expect(registry.doesExist('a')).toBe(false);
    jest.advanceTimersByTime(100);
    expect(fired).toEqual(['b']);
    expect(registry.getDelay('b').pending).toBe(false);
  });

  it('rejects a second pending delay under one name, and reuses a fired name', () => {
    registry.addDelay(
      'tick',
      manager.addTimer(10, () => undefined),
    );
    expect(() =>
      registry.addDelay(
        'tick',
        manager.addTimer(10, () => undefined),
      ),
    ).toThrow('A delay named "tick" already exists.');
    jest.advanceTimersByTime(10);
    const next = manager.addTimer(10, () => undefined);
    registry.addDelay('tick', next);
    expect(registry.getDelay('tick')).toBe(next);
  });

  it('throws for unknown names', () => {
    expect(() => registry.getDelay('nope')).toThrow(
      'No delay named "nope" was found.',
    );
    expect(() => registry.deleteDelay('nope')).toThrow(/No delay named/);
  });

  it('cancels every delay on shutdown', () => {
    const fired: string[] = [];
    registry.addDelay(
      'a',
      manager.addTimer(10, () => fired.push('a')),
    );
    const unnamed = manager.addTimer(10, () => fired.push('unnamed'));
    registry.onApplicationShutdown();
    manager.cancelTimers();
    jest.advanceTimersByTime(20);
    expect(fired).toEqual([]);
    expect(unnamed.pending).toBe(false);
    expect(registry.getDelays()).toEqual([]);
  });
});
