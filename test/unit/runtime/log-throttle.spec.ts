import { describe, expect, it } from '@jest/globals';

import { LogThrottle } from '../../../lib/runtime/log-throttle.js';

describe('LogThrottle', () => {
  it('passes one line per key and interval, then says how many it left out', () => {
    let now = 0;
    const throttle = new LogThrottle(10_000, 100, () => now);
    expect(throttle.pass('a', 'line a')).toBe('line a');
    expect(throttle.pass('a', 'line a')).toBeUndefined();
    expect(throttle.pass('a', 'line a')).toBeUndefined();
    expect(throttle.pass('b', 'line b')).toBe('line b');
    now = 9_999;
    expect(throttle.pass('a', 'line a')).toBeUndefined();
    now = 10_000;
    expect(throttle.pass('a', 'line a')).toBe(
      'line a (3 more like it in the last 10 s)',
    );
    now = 20_000;
    expect(throttle.pass('a', 'line a')).toBe('line a');
  });

  it('stays bounded with many distinct keys', () => {
    const throttle = new LogThrottle(10_000, 3, () => 0);
    for (const key of ['a', 'b', 'c']) throttle.pass(key, key);
    expect(throttle.pass('a', 'a')).toBeUndefined();
    // A fourth key starts over: 'a' is written again rather than the table growing.
    expect(throttle.pass('d', 'd')).toBe('d');
    expect(throttle.pass('a', 'a')).toBe('a');
  });
});
