import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';

import { LogCoalescer, withRepeats } from '../../lib/wire/log-coalescer.js';

describe('LogCoalescer', () => {
  let lines: string[];
  let coalescer: LogCoalescer<string>;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    lines = [];
    coalescer = new LogCoalescer<string>(10_000, (line, repeats) =>
      lines.push(withRepeats(line, repeats, 10_000)),
    );
  });

  afterEach(() => {
    coalescer.flush();
    jest.useRealTimers();
  });

  it('reports the first item of a key at once and the rest as one summary when the interval ends', () => {
    coalescer.add('a', 'a1');
    coalescer.add('a', 'a2');
    coalescer.add('b', 'b1');
    coalescer.add('a', 'a3');
    expect(lines).toEqual(['a1', 'b1']);
    jest.advanceTimersByTime(9_999);
    expect(lines).toEqual(['a1', 'b1']);
    jest.advanceTimersByTime(1);
    // The last item held back stands for all of them; nothing for a key without repeats.
    expect(lines).toEqual(['a1', 'b1', 'a3 (2 like this in the last 10 s)']);
    // A new interval starts with a line at once again.
    coalescer.add('a', 'a4');
    expect(lines.at(-1)).toBe('a4');
  });

  it('counts an item that is itself a summary as what it stands for', () => {
    coalescer.add('a', 'a1');
    coalescer.add('a', 'summary', 7);
    coalescer.flush();
    expect(lines).toEqual(['a1', 'summary (7 like this in the last 10 s)']);
  });

  it('reports pending summaries on flush, and every item with a zero interval', () => {
    coalescer.add('a', 'a1');
    coalescer.add('a', 'a2');
    coalescer.flush();
    expect(lines).toEqual(['a1', 'a2 (1 like this in the last 10 s)']);
    const every: string[] = [];
    const immediate = new LogCoalescer<string>(0, (line, repeats) =>
      every.push(`${line}/${repeats}`),
    );
    for (let i = 0; i < 3; i++) immediate.add('a', `a${i}`);
    expect(every).toEqual(['a0/0', 'a1/0', 'a2/0']);
  });

  it('stays bounded: past 1024 keys, new keys share their overflow key', () => {
    for (let i = 0; i < 1024; i++) coalescer.add(`peer ${i}`, `p${i}`, 1, 'E');
    expect(lines).toHaveLength(1024);
    for (let i = 1024; i < 3000; i++) {
      coalescer.add(`peer ${i}`, `p${i}`, 1, 'E');
    }
    // One line for the first of the overflow, one summary for the other 1,975.
    expect(lines).toHaveLength(1025);
    jest.advanceTimersByTime(10_000);
    expect(lines.slice(1025)).toEqual([
      'p2999 (1975 like this in the last 10 s)',
    ]);
  });
});
