import { PROFILES, type ProfileName } from '../bench-options.js';
import { IMPLEMENTATIONS } from '../peers/peer-catalog.js';
import type { RunRecord } from '../peers/peer-matrix.js';
import type { RawRecord } from '../raw/raw-limit.js';
import type { BenchResults } from './bench-results.js';
import { formatNumber, formatSummary, summarize } from './stats.js';
import { cpuPerMillion, profileOf, type TargetResult } from './targets.js';

/**
 * The markdown of one run: the quick, full and steady numbers side by side. `npm run bench`
 * prints it, and `--readme` puts it into the README's Performance section, so the README
 * always shows one run, never numbers stitched from several.
 */
export function renderResults(results: BenchResults): string {
  const out: string[] = [intro(results), ''];
  const peerProfiles = (['quick', 'full'] as const).filter((p) =>
    results.runs.some((r) => profileOf(r) === p),
  );
  if (peerProfiles.length > 0)
    out.push(...peerSection(results, peerProfiles), '');
  if (results.runs.some((r) => profileOf(r) === 'steady'))
    out.push(...steadySection(results), '');
  if (results.raw.length > 0) out.push(...rawSection(results.raw), '');
  if (results.in_process.length > 0) out.push(...inProcessSection(results), '');
  if (results.targets.length > 0)
    out.push(...targetSection(results.targets), '');
  out.push(...results.notes.map((note) => `- note: ${note}`));
  return out.join('\n').trimEnd();
}

const count = (n: number | undefined) =>
  n === undefined ? '?' : n.toLocaleString('en-US');

const utc = (iso: string | undefined) =>
  iso === undefined ? '?' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const load = (loadavg: number[] | undefined) =>
  loadavg === undefined ? '?' : loadavg[0].toFixed(1);

function intro(results: BenchResults): string {
  const { machine } = results;
  const ran = (results.options.profiles ?? []).map((p) => p.name);
  const minutes =
    results.started_at === undefined
      ? ''
      : `, ${Math.round((Date.parse(results.generated_at) - Date.parse(results.started_at)) / 60_000)} min`;
  return [
    `One \`npm run bench\` run (${ran.join(', ') || 'profiles not recorded'}${minutes}) ending ${utc(results.generated_at)}:`,
    `${machine.cpus} cores (${machine.cpu_model?.trim() ?? '?'}), Node ${machine.node},`,
    `load average ${load(machine.loadavg_start)} at the start and ${load(machine.loadavg)} at the end (1-minute).`,
    'Throughput in msgs/s, latencies in microseconds, CPU in seconds per million messages;',
    'medians with the min-max of the repeats.',
  ].join(' ');
}

/** Pairs in the order of the implementations (client, then server). */
function pairsOf(records: readonly RunRecord[]): string[] {
  const rank = (name: string) =>
    IMPLEMENTATIONS.indexOf(name as (typeof IMPLEMENTATIONS)[number]);
  return [...new Set(records.map((r) => r.pair))].sort((a, b) => {
    const [ac, as] = a.split('->');
    const [bc, bs] = b.split('->');
    return rank(ac) - rank(bc) || rank(as) - rank(bs);
  });
}

const ok = (records: readonly RunRecord[], pair: string, mode: string) =>
  records.filter(
    (r) => r.pair === pair && r.mode === mode && r.error === undefined,
  );

const table = (header: string[], align: string[], rows: string[][]) => [
  `| ${header.join(' | ')} |`,
  `| ${align.join(' | ')} |`,
  ...rows.map((row) => `| ${row.join(' | ')} |`),
];

function profileOptions(results: BenchResults, name: ProfileName) {
  return results.options.profiles?.find((p) => p.name === name);
}

function peerSection(
  results: BenchResults,
  profiles: readonly ('quick' | 'full')[],
): string[] {
  const runs = results.runs.filter((r) =>
    (profiles as readonly string[]).includes(profileOf(r)),
  );
  const sizes = profiles.map((name) => {
    const p = profileOptions(results, name);
    return `${name}: send ${count(p?.sendN)}, ping-pong ${count(p?.pingpongN)}, ${count(p?.repeats)} repeat${p?.repeats === 1 ? '' : 's'}`;
  });
  const metrics = [
    ['send msgs/s', 'send', 'msgs_per_sec'],
    ['p50 us', 'pingpong', 'p50_us'],
    ['p99 us', 'pingpong', 'p99_us'],
  ] as const;
  const header = ['client -> server'];
  for (const [label] of metrics)
    for (const name of profiles) header.push(`${label} ${name}`);
  header.push('failed runs');
  const rows = pairsOf(runs).map((pair) => {
    const row = [pair];
    for (const [, mode, field] of metrics) {
      for (const name of profiles) {
        const records = ok(runs, pair, mode).filter(
          (r) => profileOf(r) === name,
        );
        row.push(formatSummary(summarize(records.map((r) => r[field]))));
      }
    }
    const failed = runs.filter(
      (r) => r.pair === pair && r.error !== undefined,
    ).length;
    row.push(failed ? String(failed) : '');
    return row;
  });
  return [
    `#### Peers, fresh client processes (${sizes.join('; ')}; ${results.options.size ?? 100} B payloads, ping-pong warm-up ${results.options.pingpongWarmup ?? 50})`,
    '',
    ...table(
      header,
      header.map((_, i) => (i === 0 ? '---' : '---:')),
      rows,
    ),
  ];
}

function steadySection(results: BenchResults): string[] {
  const runs = results.runs.filter((r) => profileOf(r) === 'steady');
  const raw = results.raw.filter(
    (r) =>
      profileOf(r) === 'steady' &&
      r.style === 'per-message' &&
      r.error === undefined,
  );
  const limit = summarize(raw.map((r) => r.msgs_per_sec))?.median;
  const p = profileOptions(results, 'steady');
  const rows = pairsOf(runs).map((pair) => {
    const good = ok(runs, pair, 'steady');
    const rate = summarize(good.map((r) => r.msgs_per_sec));
    const failed = runs.filter(
      (r) => r.pair === pair && r.error !== undefined,
    ).length;
    return [
      pair,
      formatSummary(rate),
      rate && limit ? `${(rate.median / limit).toFixed(2)}x` : '-',
      formatSummary(summarize(good.map((r) => cpuPerMillion(r, 'client')))),
      formatSummary(summarize(good.map((r) => cpuPerMillion(r, 'sending')))),
      formatSummary(summarize(good.map((r) => cpuPerMillion(r, 'server')))),
      failed ? String(failed) : '',
    ];
  });
  rows.push([
    'raw per-message limit',
    formatSummary(summarize(raw.map((r) => r.msgs_per_sec))),
    limit ? '1.00x' : '-',
    '',
    '',
    '',
    '',
  ]);
  return [
    `#### Steady state: ${count(p?.sendN)} x ${results.options.size ?? 100} B from one long-lived client, ${count(p?.repeats)} repeat${p?.repeats === 1 ? '' : 's'}`,
    '',
    ...table(
      [
        'client -> server',
        'msgs/s',
        'of raw limit',
        'client CPU s / M msgs',
        'of it sending (TS)',
        'server CPU s / M msgs',
        'failed runs',
      ],
      ['---', '---:', '---:', '---:', '---:', '---:', '---:'],
      rows,
    ),
  ];
}

function rawSection(raw: readonly RawRecord[]): string[] {
  const profiles = PROFILES.filter((name) =>
    raw.some((r) => profileOf(r) === name),
  );
  const styles = [...new Set(raw.map((r) => r.style))];
  const nOf = (name: ProfileName) =>
    raw.find((r) => profileOf(r) === name && typeof r.n === 'number')?.n;
  return [
    '#### Raw loopback limit (bare socket writer -> byte-counting server, same N as the sends)',
    '',
    ...table(
      [
        'writer',
        ...profiles.map((name) => `${name} (n = ${count(nOf(name))})`),
      ],
      ['---', ...profiles.map(() => '---:')],
      styles.map((style) => [
        style,
        ...profiles.map((name) =>
          formatSummary(
            summarize(
              raw
                .filter(
                  (r) =>
                    r.style === style &&
                    profileOf(r) === name &&
                    r.error === undefined,
                )
                .map((r) => r.msgs_per_sec),
            ),
          ),
        ),
      ]),
    ),
  ];
}

function inProcessSection(results: BenchResults): string[] {
  const groups = new Map<string, unknown[]>();
  const units = new Map<string, string>();
  for (const r of results.in_process) {
    if (r.error !== undefined) continue;
    groups.set(r.name, [...(groups.get(r.name) ?? []), r.value]);
    units.set(r.name, r.unit);
  }
  return [
    '#### In-process (rates per CPU second of the benchmark process)',
    '',
    ...table(
      ['benchmark', 'median (min-max)', 'unit'],
      ['---', '---:', '---'],
      [...groups].map(([name, values]) => [
        name,
        formatSummary(summarize(values)),
        units.get(name) ?? '',
      ]),
    ),
  ];
}

function targetCell(t: TargetResult | undefined): string {
  if (t === undefined) return '';
  if (t.value === undefined || t.reached === undefined) return 'not measured';
  const value = t.value >= 100 ? formatNumber(t.value) : t.value.toFixed(2);
  return `${value} ${t.reached ? 'reached' : '**missed**'}`;
}

function targetSection(targets: readonly TargetResult[]): string[] {
  const profiles = PROFILES.filter((name) =>
    targets.some((t) => t.profile === name),
  );
  const names = [...new Set(targets.map((t) => t.target))];
  return [
    '#### Targets (ratios within each profile of this run)',
    '',
    ...table(
      ['target', 'limit', ...profiles],
      ['---', '---', ...profiles.map(() => '---')],
      names.map((name) => {
        const of = targets.filter((t) => t.target === name);
        return [
          name,
          of[0].limit,
          ...profiles.map((p) => targetCell(of.find((t) => t.profile === p))),
        ];
      }),
    ),
    '',
    ...targets
      .filter((t) => t.reached !== undefined)
      .map((t) => `- ${t.profile}, ${t.target}: ${t.detail}`),
  ];
}
