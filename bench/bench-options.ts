import { parseArgs } from 'node:util';

import { IMPLEMENTATIONS, type Implementation } from './peers/peer-catalog.js';
import type { Pair } from './peers/peer-matrix.js';

export const SECTIONS = ['peers', 'tls', 'raw', 'micro', 'scale'] as const;
export type Section = (typeof SECTIONS)[number];

/**
 * The three ways the peers are measured: `quick` and `full` with fresh client processes (a CLI
 * tool, a just-restarted scheduler), `steady` with one long-lived client (a node that has been
 * running for a while). Run in this order when several are selected.
 */
export const PROFILES = ['quick', 'full', 'steady'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** One profile's run sizes. */
export interface PeerProfile {
  name: ProfileName;
  repeats: number;
  /** Messages per send run (per steady run for `steady`). */
  sendN: number;
  /** Round trips per ping-pong run; 0 = no ping-pong (`steady`). */
  pingpongN: number;
}

/** The pairs of the steady profile unless `--pairs` says otherwise (issue 17). */
export const STEADY_PAIRS: readonly Pair[] = [
  { client: 'ts', server: 'ts' },
  { client: 'libprocess', server: 'ts' },
  { client: 'ts', server: 'libprocess' },
  { client: 'libprocess', server: 'libprocess' },
];

export interface BenchOptions {
  /** The selected profiles, in run order. */
  profiles: PeerProfile[];
  /** Explicit pairs, or undefined for the profile's default pairs. */
  pairs?: Pair[];
  pingpongWarmup?: number;
  size: number;
  warmupRuns: number;
  sections: Set<Section>;
  /** In-process benchmarks with their short lengths (only `--quick` selected). */
  quickInProcess: boolean;
  out?: string;
  /** Regenerate the README's results from this run. */
  readme: boolean;
  /** Regenerate the README's results from this results file, without running anything. */
  readmeFrom?: string;
}

export const USAGE = `usage: npm run bench -- [flags]

  --quick              the quick profile: send 5,000, ping-pong 500, 1 repeat, fresh clients
  --full               the full profile: send 20,000, ping-pong 2,000, 3 repeats, fresh clients
  --steady             the steady profile: 1,000,000 messages from one long-lived client
                       (pairs ts->ts, libprocess->ts, ts->libprocess, libprocess->libprocess),
                       1 repeat, with client and server CPU time
                       (no profile flag: all three, in that order)
  --pairs a->b,...     client->server pairs among ts, libprocess, go, compactor
                       (default: all for quick and full, the four above for steady)
  --only s,...         sections among peers, tls, raw, micro, scale (default: all);
                       tls: send and ping-pong of ts->ts, libprocess->ts, ts->libprocess and
                       libprocess->libprocess over TLS (LIBPROCESS_SSL_PEER), quick and full
  --repeats N          repeats of every peer and raw run (default per profile)
  --n N                messages per send run of quick and full
  --pingpong-n N       round trips per ping-pong run of quick and full
  --steady-n N         messages per steady run (default 1000000)
  --pingpong-warmup N  unmeasured round trips before each ping-pong, for every client
                       (default: the peers' own default, 50)
  --size B             payload bytes of a send (default 100)
  --warmup N           unmeasured send runs into each server before measuring (default 1)
  --out FILE           JSON results (default bench/results/latest.json)
  --readme             regenerate the results in README.md (Performance) from this run
  --readme-from FILE   only regenerate the README's results from FILE (a saved --out), no run`;

function positiveInt(
  flag: string,
  value: string | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${flag}: expected a whole number, got '${value}'`);
  return n;
}

function parsePairs(text: string): Pair[] {
  return text.split(',').map((item) => {
    const [client, server, extra] = item.trim().split('->');
    for (const name of [client, server]) {
      if (
        extra !== undefined ||
        !IMPLEMENTATIONS.includes(name as Implementation)
      ) {
        throw new Error(
          `--pairs: '${item}' is not <client>-><server> with names ${IMPLEMENTATIONS.join(', ')}`,
        );
      }
    }
    return {
      client: client as Implementation,
      server: server as Implementation,
    };
  });
}

/** Parses the command line; throws an Error with a readable message on bad input. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      steady: { type: 'boolean', default: false },
      pairs: { type: 'string' },
      only: { type: 'string' },
      repeats: { type: 'string' },
      n: { type: 'string' },
      'pingpong-n': { type: 'string' },
      'steady-n': { type: 'string' },
      'pingpong-warmup': { type: 'string' },
      size: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      readme: { type: 'boolean', default: false },
      'readme-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const sections = new Set<Section>(
    values.only === undefined
      ? SECTIONS
      : values.only.split(',').map((s) => {
          if (!SECTIONS.includes(s.trim() as Section)) {
            throw new Error(
              `--only: '${s}' is not one of ${SECTIONS.join(', ')}`,
            );
          }
          return s.trim() as Section;
        }),
  );
  const selected = PROFILES.filter((name) => values[name]);
  const names = selected.length > 0 ? selected : PROFILES;
  const repeats = (fallback: number) =>
    positiveInt('repeats', values.repeats, fallback) || 1;
  const profiles = names.map((name): PeerProfile => {
    switch (name) {
      case 'quick':
      case 'full': {
        const quick = name === 'quick';
        return {
          name,
          repeats: repeats(quick ? 1 : 3),
          sendN: positiveInt('n', values.n, quick ? 5000 : 20_000),
          pingpongN: positiveInt(
            'pingpong-n',
            values['pingpong-n'],
            quick ? 500 : 2000,
          ),
        };
      }
      case 'steady':
        return {
          name,
          repeats: repeats(1),
          sendN: positiveInt('steady-n', values['steady-n'], 1_000_000),
          pingpongN: 0,
        };
    }
  });
  return {
    profiles,
    pairs: values.pairs === undefined ? undefined : parsePairs(values.pairs),
    pingpongWarmup:
      values['pingpong-warmup'] === undefined
        ? undefined
        : positiveInt('pingpong-warmup', values['pingpong-warmup'], 50),
    size: positiveInt('size', values.size, 100),
    warmupRuns: positiveInt('warmup', values.warmup, 1),
    sections,
    quickInProcess: names.length === 1 && names[0] === 'quick',
    out: values.out,
    readme: values.readme ?? false,
    readmeFrom: values['readme-from'],
  };
}
