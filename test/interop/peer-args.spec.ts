import { describe, expect, it } from '@jest/globals';
import { parsePeerArgs, UsageError } from '../../peer/peer-args.js';
import {
  formatReportLine,
  latencySummary,
  percentile,
} from '../../peer/peer-report.js';

describe('peer CLI arguments', () => {
  it('applies the reference peers defaults per mode', () => {
    expect(parsePeerArgs(['serve'])).toEqual({
      mode: 'serve',
      ip: '127.0.0.1',
      port: 0,
      name: 'echo',
      verbose: false,
    });
    expect(
      parsePeerArgs(['send', '--to', 'echo@127.0.0.1:5050']),
    ).toMatchObject({
      name: 'sender',
      n: 20000,
      size: 100,
      names: 'plain',
      timeoutMs: 300_000,
    });
    expect(
      parsePeerArgs(['pingpong', '--to', 'echo@127.0.0.1:5050']),
    ).toMatchObject({
      name: 'pinger',
      n: 2000,
      size: 8,
      warmup: 50,
    });
    expect(
      parsePeerArgs(['link', '--to', 'echo@127.0.0.1:5050']),
    ).toMatchObject({
      name: 'linker',
      timeoutMs: 3_600_000,
    });
  });

  it('accepts --key value, --key=value and Go-style single-dash flags', () => {
    const options = parsePeerArgs([
      'pingpong',
      '-to',
      'echo@127.0.0.1:5050',
      '--n=10',
      '--size',
      '65536',
      '--warmup',
      '0',
      '--names',
      'mesosgo',
      '--timeout',
      '1.5',
      '--verbose',
    ]);
    expect(options).toMatchObject({
      to: 'echo@127.0.0.1:5050',
      n: 10,
      size: 65536,
      warmup: 0,
      names: 'mesosgo',
      timeoutMs: 1500,
      verbose: true,
    });
  });

  it('reads --timeout in seconds or as a Go duration', () => {
    const timeout = (value: string) =>
      (
        parsePeerArgs([
          'link',
          '--to',
          'a@127.0.0.1:1',
          '--timeout',
          value,
        ]) as { timeoutMs: number }
      ).timeoutMs;
    expect(timeout('2')).toBe(2000);
    expect(timeout('250ms')).toBe(250);
    expect(timeout('10s')).toBe(10_000);
    expect(timeout('2m')).toBe(120_000);
    expect(timeout('1h')).toBe(3_600_000);
  });

  it.each([
    [[], /missing mode/],
    [['bench'], /unknown mode "bench"/],
    [['send'], /--to is required/],
    [
      ['send', '--to', 'e@127.0.0.1:1', '--n', 'many'],
      /--n must be an integer/,
    ],
    [
      ['send', '--to', 'e@127.0.0.1:1', '--n', '0'],
      /--n must be an integer from 1/,
    ],
    [
      ['send', '--to', 'e@127.0.0.1:1', '--names', 'grpc'],
      /--names must be plain or mesosgo/,
    ],
    [['send', '--to', 'e@127.0.0.1:1', '--timeout', '-1'], /--timeout must be/],
    [['serve', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['serve', '--to', 'e@127.0.0.1:1'], /unknown flag --to for serve/],
    [
      ['link', '--to', 'e@127.0.0.1:1', '--warmup', '3'],
      /unknown flag --warmup for link/,
    ],
    [['serve', '--port'], /--port needs a value/],
    [['serve', 'extra'], /unexpected argument "extra"/],
  ])('rejects %j with a UsageError', (argv, message) => {
    expect(() => parsePeerArgs(argv as string[])).toThrow(UsageError);
    expect(() => parsePeerArgs(argv as string[])).toThrow(message as RegExp);
  });

  it('recognises --help anywhere', () => {
    expect(parsePeerArgs(['send', '--help'])).toBe('help');
    expect(parsePeerArgs(['-h'])).toBe('help');
  });
});

describe('peer CLI report lines', () => {
  it("prints keys in order with Python's json.dumps spacing and drops undefined fields", () => {
    expect(
      formatReportLine({
        peer: 'ts',
        mode: 'send',
        error: 'timeout',
        to: undefined,
        n: 3,
      }),
    ).toBe('{"peer": "ts", "mode": "send", "error": "timeout", "n": 3}');
  });

  it('uses the nearest-rank percentile of the peers', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    // index round(0.5 * 100 + 0.5) - 1 = 50, half rounded up as the C++ and Go peers do
    expect(percentile(values, 50)).toBe(51);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    // n = 3: index round(0.5 * 3 + 0.5) - 1 = 1
    expect(percentile([1, 2, 3], 50)).toBe(2);
  });

  it('summarises latencies rounded to 0.1 us', () => {
    expect(latencySummary([300, 100.04, 200])).toEqual({
      p50_us: 200,
      p90_us: 300,
      p99_us: 300,
      max_us: 300,
      mean_us: 200,
    });
  });
});
