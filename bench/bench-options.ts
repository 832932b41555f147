import { parseArgs } from 'node:util';

import { IMPLEMENTATIONS, type Implementation } from './peers/peer-catalog.js';
import type { Pair } from './peers/peer-matrix.js';

export const SECTIONS = ['peers', 'raw', 'micro', 'scale'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  quick: boolean;
  /** Explicit pairs, or undefined for every client -> server pair of the available peers. */
  pairs?: Pair[];
  repeats: number;
  sendN: number;
  pingpongN: number;
  pingpongWarmup?: number;
  size: number;
  warmupRuns: number;
  sections: Set<Section>;
  out?: string;
}

export const USAGE = `usage: npm run bench -- [flags]

  --quick              short run (send 5,000, ping-pong 500, 1 repeat, shorter in-process runs)
  --pairs a->b,...     client->server pairs among ts, libprocess, go, compactor (default: all)
  --only s,...         sections among peers, raw, micro, scale (default: all)
  --repeats N          repeats of every run (default 3)
  --n N                messages per send run (default 20000)
  --pingpong-n N       round trips per ping-pong run (default 2000)
  --pingpong-warmup N  unmeasured round trips before each ping-pong, for every client
                       (default: the peers' own default, 50)
  --size B             payload bytes of a send (default 100)
  --warmup N           unmeasured send runs into each server before measuring (default 1)
  --out FILE           JSON results (default bench/results/latest.json)`;

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
      pairs: { type: 'string' },
      only: { type: 'string' },
      repeats: { type: 'string' },
      n: { type: 'string' },
      'pingpong-n': { type: 'string' },
      'pingpong-warmup': { type: 'string' },
      size: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
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
  return {
    quick,
    pairs: values.pairs === undefined ? undefined : parsePairs(values.pairs),
    repeats: positiveInt('repeats', values.repeats, quick ? 1 : 3) || 1,
    sendN: positiveInt('n', values.n, quick ? 5000 : 20_000),
    pingpongN: positiveInt(
      'pingpong-n',
      values['pingpong-n'],
      quick ? 500 : 2000,
    ),
    pingpongWarmup:
      values['pingpong-warmup'] === undefined
        ? undefined
        : positiveInt('pingpong-warmup', values['pingpong-warmup'], 50),
    size: positiveInt('size', values.size, 100),
    warmupRuns: positiveInt('warmup', values.warmup, 1),
    sections,
    out: values.out,
  };
}
