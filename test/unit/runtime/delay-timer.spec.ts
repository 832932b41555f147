import { afterEach, describe, expect, it, jest } from '@jest/globals';

import { TimerSet } from '../../../lib/runtime/delay-timer.js';

describe('TimerSet (delay, periodic)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it("waits out a delay longer than setTimeout's 2^31 - 1 ms instead of firing at once", () => {
    jest.useFakeTimers();
    const timers = new TimerSet();
    const thirtyDays = 30 * 24 * 3600 * 1000;
    const fired: number[] = [];
    const handle = timers.add(thirtyDays, () => fired.push(Date.now()));
    const start = Date.now();

    jest.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(thirtyDays - 1001);
    expect([fired, handle.pending]).toEqual([[], true]);
    jest.advanceTimersByTime(1);
    expect([fired, handle.pending]).toEqual([[start + thirtyDays], false]);
  });

  it('cancels a long delay between its steps; Infinity never fires', () => {
    jest.useFakeTimers();
    const timers = new TimerSet();
    const callback = jest.fn();
    const long = timers.add(2 ** 31 + 5000, callback);
    const never = timers.add(Infinity, callback);

    jest.advanceTimersByTime(2 ** 31);
    expect(long.cancel()).toBe(true);
    jest.advanceTimersByTime(10 * 2 ** 31);
    expect(callback).not.toHaveBeenCalled();
    expect(never.pending).toBe(true);
    timers.cancelAll();
    expect(never.pending).toBe(false);
  });
});
