/**
 * `npm run bench`: the TypeScript libprocess side by side with C++ libprocess, mesos-go and
 * compactor (../shared/peers), the loopback limit, and in-process micro and scale benchmarks.
 * Prints markdown tables and the targets of issue 7; writes bench/results/latest.json.
 * Targets are ratios measured in this same run: the machines are noisy (+-20 % run to run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  parseBenchOptions,
  USAGE,
  type BenchOptions,
} from './bench-options.js';
import {
  IMPLEMENTATIONS,
  resolvePeers,
  type Implementation,
  type PeerCommand,
} from './peers/peer-catalog.js';
import {
  pairName,
  runPeerMatrix,
  type Pair,
  type RunRecord,
} from './peers/peer-matrix.js';
import { runRawLimit, type RawRecord } from './raw/raw-limit.js';
import { evaluateTargets } from './report/targets.js';
import { formatSummary, summarize } from './report/stats.js';
import type { InProcessResult } from './support/in-process-result.js';
import { runInProcessSection } from './support/in-process-runner.js';

const DEFAULT_OUT = fileURLToPath(
  new URL('../../bench/results/latest.json', import.meta.url),
);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function choosePairs(
  options: BenchOptions,
  available: Set<Implementation>,
  notes: string[],
): Pair[] {
  const all = IMPLEMENTATIONS.flatMap((client) =>
    IMPLEMENTATIONS.map((server) => ({ client, server })),
  );
  return (options.pairs ?? all).filter((pair) => {
    const missing = [pair.client, pair.server].filter(
      (name) => !available.has(name),
    );
    if (missing.length > 0 && options.pairs !== undefined) {
      notes.push(
        `skipped ${pairName(pair)}: ${missing.join(', ')} not available`,
      );
    }
    return missing.length === 0;
  });
}

function peerTable(runs: readonly RunRecord[], pairs: readonly Pair[]): string {
  const rows = pairs.map((pair) => {
    const name = pairName(pair);
    const ok = (mode: string) =>
      runs.filter(
        (r) => r.pair === name && r.mode === mode && r.error === undefined,
      );
    const failed = runs.filter(
      (r) => r.pair === name && r.error !== undefined,
    ).length;
    return `| ${name} | ${formatSummary(summarize(ok('send').map((r) => r.msgs_per_sec)))} | ${formatSummary(summarize(ok('pingpong').map((r) => r.p50_us)))} | ${formatSummary(summarize(ok('pingpong').map((r) => r.p99_us)))} | ${failed || ''} |`;
  });
  return [
    '| client -> server | send msgs/s | ping-pong p50 us | ping-pong p99 us | failed runs |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function valueTable(
  title: string,
  unitOf: (name: string) => string,
  groups: Map<string, unknown[]>,
): string {
  const rows = [...groups].map(
    ([name, values]) =>
      `| ${name} | ${formatSummary(summarize(values))} | ${unitOf(name)} |`,
  );
  return [
    `| ${title} | median (min-max) | unit |`,
    '| --- | ---: | --- |',
    ...rows,
  ].join('\n');
}

function groupBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  value: (item: T) => unknown,
): Map<string, unknown[]> {
  const groups = new Map<string, unknown[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), value(item)]);
  }
  return groups;
}

async function main(argv: string[]): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseBenchOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const notes: string[] = [];
  const { available, missing } = resolvePeers();
  for (const peer of missing)
    notes.push(`peer ${peer.name} skipped: ${peer.reason}`);
  for (const note of notes) log(note);
  const peers = new Map<Implementation, PeerCommand>(
    available.map((p) => [p.name, p]),
  );
  const pairs = choosePairs(options, new Set(peers.keys()), notes);

  let runs: RunRecord[] = [];
  const raw: RawRecord[] = [];
  const measureRaw = async (repeat: number) => {
    const records = await runRawLimit(
      // The same N as the send runs, from a fresh process too: same framing, same conditions.
      options.sendN,
      options.size,
      repeat,
    );
    for (const r of records)
      log(
        `raw ${r.style} #${repeat}: ${r.error ?? `${String(r.msgs_per_sec)} msgs/s`}`,
      );
    raw.push(...records);
  };
  if (options.sections.has('peers') && pairs.length > 0) {
    log(
      `peers: ${pairs.length} pairs x send+pingpong x ${options.repeats} repeats`,
    );
    runs = await runPeerMatrix(peers, {
      pairs,
      repeats: options.repeats,
      sendN: options.sendN,
      size: options.size,
      pingpongN: options.pingpongN,
      pingpongWarmup: options.pingpongWarmup,
      warmupRuns: options.warmupRuns,
      log,
      // Interleaved with the send runs, so the limit and the library meet the same noise.
      beforeSendRepeat: options.sections.has('raw') ? measureRaw : undefined,
    });
  } else if (options.sections.has('raw')) {
    for (let repeat = 1; repeat <= options.repeats; repeat++)
      await measureRaw(repeat);
  }

  const inProcess: InProcessResult[] = [];
  for (const section of ['micro', 'scale'] as const) {
    if (options.sections.has(section))
      inProcess.push(
        ...(await runInProcessSection(section, options.quick, log)),
      );
  }

  const targets = evaluateTargets(runs, raw, inProcess);
  const out: string[] = [];
  if (runs.length > 0) {
    out.push(
      `### Peers: send ${options.sendN.toLocaleString('en-US')} x ${options.size} B, ping-pong ${options.pingpongN.toLocaleString('en-US')} (warm-up ${options.pingpongWarmup ?? 50}); median (min-max) of ${options.repeats}`,
      '',
      peerTable(runs, pairs),
      '',
    );
  }
  if (raw.length > 0) {
    out.push(
      '### Raw loopback limit (bare socket writer -> byte-counting server)',
      '',
      valueTable(
        'writer',
        () => 'msgs/s',
        groupBy(
          raw,
          (r) => r.style,
          (r) => r.msgs_per_sec,
        ),
      ),
      '',
    );
  }
  if (inProcess.length > 0) {
    const units = new Map(inProcess.map((r) => [r.name, r.unit]));
    out.push(
      '### In-process (rates per CPU second of the benchmark process)',
      '',
      valueTable(
        'benchmark',
        (name) => units.get(name) ?? '',
        groupBy(
          inProcess.filter((r) => r.error === undefined),
          (r) => r.name,
          (r) => r.value,
        ),
      ),
      '',
    );
  }
  out.push(
    '### Targets (ratios of this run)',
    '',
    '| target | measured | limit | result |',
    '| --- | ---: | --- | --- |',
    ...targets.map(
      (t) =>
        `| ${t.target} | ${t.value === undefined ? '-' : t.value >= 100 ? Math.round(t.value).toLocaleString('en-US') : `${t.value.toFixed(2)}`} | ${t.limit} | ${t.reached === undefined ? 'not measured' : `${t.reached ? 'reached' : 'missed'} (${t.detail})`} |`,
    ),
  );
  if (notes.length > 0) out.push('', ...notes.map((n) => `- note: ${n}`));
  process.stdout.write(`${out.join('\n')}\n`);

  const file = resolve(options.out ?? DEFAULT_OUT);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generated_at: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          cpu_model: cpus()[0]?.model,
          node: process.version,
          loadavg: loadavg(),
        },
        options: {
          ...options,
          sections: [...options.sections],
          pairs: pairs.map(pairName),
        },
        notes,
        runs,
        raw,
        in_process: inProcess,
        targets,
      },
      null,
      2,
    )}\n`,
  );
  log(`results: ${file}`);
  return runs.some((r) => r.error !== undefined) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
