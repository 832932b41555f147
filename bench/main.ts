/**
 * `npm run bench`: the TypeScript libprocess side by side with C++ libprocess, mesos-go and
 * compactor (../shared/peers), the loopback limit, and in-process micro and scale benchmarks,
 * in up to three profiles: quick and full (fresh client processes), steady (one long-lived
 * client, with CPU time per message). Prints markdown tables and the targets of issues 7 and
 * 17; writes bench/results/latest.json; `--readme` puts the tables into the README.
 * Targets are ratios measured in this same run: the machines are noisy (+-20 % run to run).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  parseBenchOptions,
  STEADY_PAIRS,
  USAGE,
  type BenchOptions,
  type PeerProfile,
} from './bench-options.js';
import {
  IMPLEMENTATIONS,
  resolvePeers,
  sslPeerCommand,
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
import { readBenchResults, type BenchResults } from './report/bench-results.js';
import { README, writeReadmeResults } from './report/readme-results.js';
import { renderResults } from './report/results-markdown.js';
import { evaluateTargets } from './report/targets.js';
import type { InProcessResult } from './support/in-process-result.js';
import { runInProcessSection } from './support/in-process-runner.js';
import { runTlsPairs } from './tls/tls-pairs.js';

const DEFAULT_OUT = fileURLToPath(
  new URL('../../bench/results/latest.json', import.meta.url),
);

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The profile's pairs whose client and server can run here; the others noted. */
function choosePairs(
  options: BenchOptions,
  profile: PeerProfile,
  available: Set<Implementation>,
  notes: Set<string>,
): Pair[] {
  const all = IMPLEMENTATIONS.flatMap((client) =>
    IMPLEMENTATIONS.map((server) => ({ client, server })),
  );
  const chosen =
    options.pairs ?? (profile.name === 'steady' ? STEADY_PAIRS : all);
  return chosen.filter((pair) => {
    const missing = [pair.client, pair.server].filter(
      (name) => !available.has(name),
    );
    if (missing.length > 0 && chosen !== all) {
      notes.add(
        `skipped ${pairName(pair)} (${profile.name}): ${missing.join(', ')} not available`,
      );
    }
    return missing.length === 0;
  });
}

async function runProfile(
  options: BenchOptions,
  profile: PeerProfile,
  peers: Map<Implementation, PeerCommand>,
  notes: Set<string>,
): Promise<{ runs: RunRecord[]; raw: RawRecord[] }> {
  const pairs = choosePairs(options, profile, new Set(peers.keys()), notes);
  const raw: RawRecord[] = [];
  const measureRaw = async (repeat: number) => {
    const records = await runRawLimit(
      // The same N as the send runs, from a fresh process too: same framing, same conditions.
      profile.sendN,
      options.size,
      repeat,
      profile.name,
      profile.name === 'steady' ? ['per-message'] : ['per-message', 'bulk'],
    );
    for (const r of records)
      log(
        `${profile.name} raw ${r.style} #${repeat}: ${r.error ?? `${String(r.msgs_per_sec)} msgs/s`}`,
      );
    raw.push(...records);
  };
  let runs: RunRecord[] = [];
  if (options.sections.has('peers') && pairs.length > 0) {
    log(
      `${profile.name}: ${pairs.length} pairs x ${profile.name === 'steady' ? 'steady' : 'send+pingpong'} x ${profile.repeats} repeats`,
    );
    runs = await runPeerMatrix(peers, {
      profile,
      pairs,
      size: options.size,
      pingpongWarmup: options.pingpongWarmup,
      warmupRuns: options.warmupRuns,
      log,
      // Interleaved with the send runs, so the limit and the library meet the same noise.
      beforeSendRepeat: options.sections.has('raw') ? measureRaw : undefined,
    });
  } else if (options.sections.has('raw')) {
    for (let repeat = 1; repeat <= profile.repeats; repeat++)
      await measureRaw(repeat);
  }
  if (options.sections.has('tls') && profile.name !== 'steady') {
    const ssl = sslPeerCommand();
    if (ssl === undefined) {
      notes.add(
        'TLS pairs skipped: LIBPROCESS_SSL_PEER not set (bash ../shared/peers/setup.sh)',
      );
    } else {
      runs = [
        ...runs,
        ...(await runTlsPairs(peers, ssl, profile, {
          size: options.size,
          warmupRuns: options.warmupRuns,
          pingpongWarmup: options.pingpongWarmup,
          log,
        })),
      ];
    }
  }
  return { runs, raw };
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
  if (options.readmeFrom !== undefined) {
    await writeReadmeResults(readBenchResults(resolve(options.readmeFrom)));
    log(`${README}: results of ${options.readmeFrom}`);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const notes = new Set<string>();
  const { available, missing } = resolvePeers();
  for (const peer of missing)
    notes.add(`peer ${peer.name} skipped: ${peer.reason}`);
  for (const note of notes) log(note);
  const peers = new Map<Implementation, PeerCommand>(
    available.map((p) => [p.name, p]),
  );

  const runs: RunRecord[] = [];
  const raw: RawRecord[] = [];
  for (const profile of options.profiles) {
    const measured = await runProfile(options, profile, peers, notes);
    runs.push(...measured.runs);
    raw.push(...measured.raw);
  }

  const inProcess: InProcessResult[] = [];
  for (const section of ['micro', 'scale'] as const) {
    if (options.sections.has(section))
      inProcess.push(
        ...(await runInProcessSection(section, options.quickInProcess, log)),
      );
  }

  const results: BenchResults = {
    generated_at: new Date().toISOString(),
    started_at: startedAt,
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model,
      node: process.version,
      loadavg: loadavg(),
      loadavg_start: loadStart,
    },
    options: {
      ...options,
      sections: [...options.sections],
      pairs: options.pairs?.map(pairName),
    },
    notes: [...notes],
    runs,
    raw,
    in_process: inProcess,
    targets: evaluateTargets(runs, raw, inProcess),
  };
  process.stdout.write(`${renderResults(results)}\n`);

  const file = resolve(options.out ?? DEFAULT_OUT);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results: ${file}`);
  if (options.readme) {
    await writeReadmeResults(results);
    log(`${README}: Performance results regenerated`);
  }
  return runs.some((r) => r.error !== undefined) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
