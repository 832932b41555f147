import type { RunRecord } from '../peers/peer-matrix.js';
import type { RawRecord } from '../raw/raw-limit.js';
import type { InProcessResult } from '../support/in-process-result.js';
import { summarize } from './stats.js';

/** One target of issue 7, evaluated on the numbers of this run. */
export interface TargetResult {
  target: string;
  /** The measured ratio or value; undefined when an input was not measured in this run. */
  value?: number;
  limit: string;
  reached?: boolean;
  detail: string;
}

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

const inProcess = (results: readonly InProcessResult[], name: string) =>
  summarize(
    results
      .filter((r) => r.name === name && r.error === undefined)
      .map((r) => r.value),
  )?.median;

function ratioTarget(
  target: string,
  numerator: number | undefined,
  denominator: number | undefined,
  limit: number,
  atLeast: boolean,
  detail: string,
): TargetResult {
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
): TargetResult {
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

/** The six targets of issue 7 ("the speed to beat them"), all from this run's medians. */
export function evaluateTargets(
  runs: readonly RunRecord[],
  raw: readonly RawRecord[],
  inProcessResults: readonly InProcessResult[],
): TargetResult[] {
  const rawLimit = summarize(
    raw
      .filter((r) => r.style === 'per-message' && r.error === undefined)
      .map((r) => r.msgs_per_sec),
  )?.median;
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
      'C++->TS send vs C++->mesos-go send',
      median(runs, 'libprocess->ts', 'send', 'msgs_per_sec'),
      median(runs, 'libprocess->go', 'send', 'msgs_per_sec'),
      1.2,
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
    ratioTarget(
      'Full pipeline (TS->TS send) vs raw socket limit',
      median(runs, 'ts->ts', 'send', 'msgs_per_sec'),
      rawLimit,
      0.5,
      true,
      'msgs/s; raw = warm bare per-message writer -> byte-counting server',
    ),
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
  ];
}
