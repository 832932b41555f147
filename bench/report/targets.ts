import type { ProfileName } from '../bench-options.js';
import type { RunRecord } from '../peers/peer-matrix.js';
import type { RawRecord } from '../raw/raw-limit.js';
import type { InProcessResult } from '../support/in-process-result.js';
import { summarize } from './stats.js';

/** One target of issues 7 and 17, evaluated on the numbers of one profile of this run. */
export interface TargetResult {
  target: string;
  /** The profile whose records it was evaluated on (in-process targets: `full`). */
  profile: ProfileName;
  /** The measured ratio or value; undefined when an input was not measured in this run. */
  value?: number;
  limit: string;
  reached?: boolean;
  detail: string;
}

/** Records written before profiles existed came from a full run (or a `--quick` one). */
export const profileOf = (record: { profile?: ProfileName }): ProfileName =>
  record.profile ?? 'full';

const median = (
  records: readonly RunRecord[],
  pair: string,
  mode: string,
  field: string,
) =>
  summarize(
    records
      .filter(
        (r) => r.pair === pair && r.mode === mode && r.error === undefined,
      )
      .map((r) => r[field]),
  )?.median;

/**
 * CPU seconds per million messages of one side of a run (`client` or `server`, whole
 * processes), or of the TS steady client while it sends (`sending`, start-up excluded).
 */
export const cpuPerMillion = (
  record: RunRecord,
  side: 'client' | 'server' | 'sending',
): number | undefined => {
  const seconds = record[`${side}_cpu_s`];
  const n = record.n;
  return typeof seconds === 'number' && typeof n === 'number' && n > 0
    ? (seconds / n) * 1e6
    : undefined;
};

const inProcess = (results: readonly InProcessResult[], name: string) =>
  summarize(
    results
      .filter((r) => r.name === name && r.error === undefined)
      .map((r) => r.value),
  )?.median;

type Target = Omit<TargetResult, 'profile'>;

function ratioTarget(
  target: string,
  numerator: number | undefined,
  denominator: number | undefined,
  limit: number,
  atLeast: boolean,
  detail: string,
): Target {
  const limitText = `${atLeast ? '>=' : '<='} ${limit}x`;
  if (
    numerator === undefined ||
    denominator === undefined ||
    denominator === 0
  ) {
    return { target, limit: limitText, detail: `in ${detail}` };
  }
  const value = numerator / denominator;
  return {
    target,
    value,
    limit: limitText,
    reached: atLeast ? value >= limit : value <= limit,
    detail: `${detail}: ${format(numerator)} / ${format(denominator)}`,
  };
}

function absoluteTarget(
  target: string,
  value: number | undefined,
  limit: number,
  atLeast: boolean,
  unit: string,
): Target {
  const limitText = `${atLeast ? '>=' : '<'} ${format(limit)} ${unit}`;
  if (value === undefined)
    return { target, limit: limitText, detail: 'not measured' };
  return {
    target,
    value,
    limit: limitText,
    reached: atLeast ? value >= limit : value < limit,
    detail: `${format(value)} ${unit}`,
  };
}

const format = (v: number) =>
  v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);

/** The peer targets of issue 7 that the quick profile must meet too (issue 17). */
function coldStartTargets(runs: readonly RunRecord[]): Target[] {
  return [
    ratioTarget(
      'TS->TS send vs C++->C++ send (linked)',
      median(runs, 'ts->ts', 'send', 'msgs_per_sec'),
      median(runs, 'libprocess->libprocess', 'send', 'msgs_per_sec'),
      2.5,
      true,
      'msgs/s',
    ),
    ratioTarget(
      'TS<->TS ping-pong p50 vs C++<->C++ p50',
      median(runs, 'ts->ts', 'pingpong', 'p50_us'),
      median(runs, 'libprocess->libprocess', 'pingpong', 'p50_us'),
      0.8,
      false,
      'us',
    ),
    ratioTarget(
      'TS<->TS ping-pong p99 vs C++<->C++ p99',
      median(runs, 'ts->ts', 'pingpong', 'p99_us'),
      median(runs, 'libprocess->libprocess', 'pingpong', 'p99_us'),
      1.0,
      false,
      'us',
    ),
  ];
}

/** Issue 16's targets, on the TLS pairs (TS and C++ libprocess with SSL, same run). */
function tlsTargets(runs: readonly RunRecord[]): Target[] {
  return [
    ratioTarget(
      'TLS: TS->TS send vs C++->C++ send',
      median(runs, 'ts->ts (TLS)', 'send', 'msgs_per_sec'),
      median(runs, 'libprocess->libprocess (TLS)', 'send', 'msgs_per_sec'),
      1.5,
      true,
      'msgs/s',
    ),
    ratioTarget(
      'TLS: TS<->TS ping-pong p50 vs C++<->C++ p50',
      median(runs, 'ts->ts (TLS)', 'pingpong', 'p50_us'),
      median(runs, 'libprocess->libprocess (TLS)', 'pingpong', 'p50_us'),
      1.0,
      false,
      'us',
    ),
  ];
}

const rawLimit = (raw: readonly RawRecord[]) =>
  summarize(
    raw
      .filter((r) => r.style === 'per-message' && r.error === undefined)
      .map((r) => r.msgs_per_sec),
  )?.median;

/**
 * Every target, each on the records of its own profile of this run (medians): issue 7's six on
 * `full`, its three cold-start ones on `quick` too, issue 17's two on `steady`. A profile that
 * did not run gives no rows.
 */
export function evaluateTargets(
  allRuns: readonly RunRecord[],
  allRaw: readonly RawRecord[],
  inProcessResults: readonly InProcessResult[],
): TargetResult[] {
  const of = (profile: ProfileName) => ({
    runs: allRuns.filter((r) => profileOf(r) === profile),
    raw: allRaw.filter((r) => profileOf(r) === profile),
  });
  const tag = (profile: ProfileName, targets: Target[]) =>
    targets.map((t) => ({ ...t, profile }));
  const results: TargetResult[] = [];

  const quick = of('quick');
  if (quick.runs.length > 0)
    results.push(...tag('quick', coldStartTargets(quick.runs)));

  const full = of('full');
  if (full.runs.length > 0 || full.raw.length > 0) {
    const [send, p50, p99] = coldStartTargets(full.runs);
    results.push(
      ...tag('full', [
        send,
        ratioTarget(
          'C++->TS send vs C++->mesos-go send',
          median(full.runs, 'libprocess->ts', 'send', 'msgs_per_sec'),
          median(full.runs, 'libprocess->go', 'send', 'msgs_per_sec'),
          1.2,
          true,
          'msgs/s',
        ),
        p50,
        p99,
        ratioTarget(
          'Full pipeline (TS->TS send) vs raw socket limit',
          median(full.runs, 'ts->ts', 'send', 'msgs_per_sec'),
          rawLimit(full.raw),
          0.5,
          true,
          'msgs/s; raw = warm bare per-message writer -> byte-counting server',
        ),
      ]),
    );
  }
  for (const profile of ['quick', 'full'] as const) {
    const { runs } = of(profile);
    if (runs.some((r) => r.tls === true)) {
      results.push(...tag(profile, tlsTargets(runs)));
    }
  }
  // The in-process benchmarks run once per run, whatever the profiles; listed with `full`.
  if (inProcessResults.length > 0) {
    results.push(
      ...tag('full', [
        absoluteTarget(
          '100,000 local processes: RSS',
          inProcess(inProcessResults, 'scale.spawn.rss'),
          300,
          false,
          'MB',
        ),
        absoluteTarget(
          'Local ActorRef.send -> @Mailbox',
          inProcess(inProcessResults, 'micro.local-send'),
          1_000_000,
          true,
          'msgs/s',
        ),
      ]),
    );
  }

  const steady = of('steady');
  if (steady.runs.length > 0) {
    const serverCpu = (pair: string) =>
      summarize(
        steady.runs
          .filter((r) => r.pair === pair && r.error === undefined)
          .map((r) => cpuPerMillion(r, 'server')),
      )?.median;
    results.push(
      ...tag('steady', [
        ratioTarget(
          'Steady TS->TS vs raw per-message limit (same n)',
          median(steady.runs, 'ts->ts', 'steady', 'msgs_per_sec'),
          rawLimit(steady.raw),
          0.5,
          true,
          'msgs/s',
        ),
        ratioTarget(
          'Steady TS server CPU per message vs C++ server (C++ client)',
          serverCpu('libprocess->ts'),
          serverCpu('libprocess->libprocess'),
          1.0,
          false,
          'CPU s per 1M msgs',
        ),
      ]),
    );
  }
  return results;
}
