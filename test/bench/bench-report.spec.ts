import { describe, expect, it } from '@jest/globals';

import { parseBenchOptions } from '../../bench/bench-options.js';
import type { RunRecord } from '../../bench/peers/peer-matrix.js';
import type { RawRecord } from '../../bench/raw/raw-limit.js';
import type { BenchResults } from '../../bench/report/bench-results.js';
import { renderResults } from '../../bench/report/results-markdown.js';
import { evaluateTargets } from '../../bench/report/targets.js';

type Profile = RunRecord['profile'];

const run = (
  profile: Profile,
  pair: string,
  mode: RunRecord['mode'],
  fields: Record<string, unknown>,
): RunRecord => {
  const [client, server] = pair.split('->') as [
    RunRecord['client'],
    RunRecord['server'],
  ];
  return { pair, client, server, mode, profile, repeat: 1, ...fields };
};

const raw = (profile: Profile, n: number, msgsPerSec: number): RawRecord => ({
  mode: 'raw',
  style: 'per-message',
  profile,
  repeat: 1,
  n,
  msgs_per_sec: msgsPerSec,
});

/** A quick run that misses p99, a full one, and a steady one (TS server cheaper than C++). */
function sampleRuns(): RunRecord[] {
  const peerRuns = (profile: Profile, tsSend: number, tsP99: number) => [
    run(profile, 'ts->ts', 'send', { msgs_per_sec: tsSend }),
    run(profile, 'libprocess->libprocess', 'send', { msgs_per_sec: 70_000 }),
    run(profile, 'libprocess->ts', 'send', { msgs_per_sec: 140_000 }),
    run(profile, 'libprocess->go', 'send', { msgs_per_sec: 80_000 }),
    run(profile, 'ts->ts', 'pingpong', { p50_us: 100, p99_us: tsP99 }),
    run(profile, 'libprocess->libprocess', 'pingpong', {
      p50_us: 150,
      p99_us: 200,
    }),
  ];
  const steady = (pair: string, rate: number, server: number) =>
    run('steady', pair, 'steady', {
      n: 1_000_000,
      msgs_per_sec: rate,
      client_cpu_s: 3,
      server_cpu_s: server,
      // Only the TS client reports its CPU while sending.
      ...(pair.startsWith('ts->') ? { sending_cpu_s: 1.75 } : {}),
    });
  return [
    ...peerRuns('quick', 150_000, 1500),
    ...peerRuns('full', 300_000, 180),
    steady('ts->ts', 600_000, 2),
    steady('libprocess->ts', 150_000, 2.5),
    steady('libprocess->libprocess', 70_000, 10),
  ];
}

describe('bench profiles and targets', () => {
  it('runs quick, full and steady by default, and only the flagged ones otherwise', () => {
    const all = parseBenchOptions([]);
    const steadyOnly = parseBenchOptions(['--steady', '--steady-n', '5000']);
    if (all === 'help' || steadyOnly === 'help') throw new Error('help');
    expect(all.profiles.map((p) => [p.name, p.sendN, p.repeats])).toEqual([
      ['quick', 5000, 1],
      ['full', 20_000, 3],
      ['steady', 1_000_000, 1],
    ]);
    expect(steadyOnly.profiles).toEqual([
      { name: 'steady', repeats: 1, sendN: 5000, pingpongN: 0 },
    ]);
    expect(() => parseBenchOptions(['--steady-n', 'lots'])).toThrow(
      /--steady-n: expected a whole number/,
    );
  });

  it('evaluates each target on the records of its own profile', () => {
    const targets = evaluateTargets(
      sampleRuns(),
      [raw('full', 20_000, 2_000_000), raw('steady', 1_000_000, 1_000_000)],
      [],
    );
    const find = (profile: string, prefix: string) =>
      targets.find((t) => t.profile === profile && t.target.startsWith(prefix));

    expect(find('quick', 'TS->TS send')?.value).toBeCloseTo(150_000 / 70_000);
    expect(find('quick', 'TS<->TS ping-pong p99')).toMatchObject({
      value: 7.5,
      reached: false,
    });
    expect(find('full', 'TS<->TS ping-pong p99')).toMatchObject({
      value: 0.9,
      reached: true,
    });
    // The full raw limit (2 M) is not the steady one (1 M): same n as the sends.
    expect(find('full', 'Full pipeline')?.value).toBeCloseTo(0.15);
    expect(find('steady', 'Steady TS->TS')).toMatchObject({
      value: 0.6,
      reached: true,
    });
    expect(find('steady', 'Steady TS server CPU')).toMatchObject({
      value: 0.25,
      reached: true,
    });
    expect(targets.filter((t) => t.profile === 'quick')).toHaveLength(3);
  });

  it('renders the profiles side by side, with the steady CPU per million messages', () => {
    const runs = sampleRuns();
    const rawRecords = [
      raw('quick', 5000, 900_000),
      raw('steady', 1_000_000, 1_000_000),
    ];
    const results: BenchResults = {
      generated_at: '2026-11-30T08:10:00.000Z',
      started_at: '2026-11-30T08:00:00.000Z',
      machine: { cpus: 2, node: 'v20.20.2', loadavg: [6, 5, 4] },
      options: { size: 100 },
      notes: [],
      runs,
      raw: rawRecords,
      in_process: [],
      targets: evaluateTargets(runs, rawRecords, []),
    };
    const text = renderResults(results);
    expect(text).toContain(
      '| client -> server | send msgs/s quick | send msgs/s full | p50 us quick | p50 us full |',
    );
    expect(text).toContain('| ts->ts | 600,000 | 0.60x | 3.0 | 1.8 | 2.0 |  |');
    expect(text).toContain(
      '| libprocess->ts | 150,000 | 0.15x | 3.0 | - | 2.5 |  |',
    );
    expect(text).toContain('| raw per-message limit | 1,000,000 | 1.00x |');
    expect(text).toMatch(
      /\| TS<->TS ping-pong p99 .* \| 7\.50 \*\*missed\*\* \| 0\.90 reached \|/,
    );
  });
});
