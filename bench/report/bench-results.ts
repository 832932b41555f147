import { readFileSync } from 'node:fs';

import type { PeerProfile } from '../bench-options.js';
import type { RunRecord } from '../peers/peer-matrix.js';
import type { RawRecord } from '../raw/raw-limit.js';
import type { InProcessResult } from '../support/in-process-result.js';
import type { TargetResult } from './targets.js';

/** bench/results/latest.json: everything one `npm run bench` measured. */
export interface BenchResults {
  generated_at: string;
  started_at?: string;
  machine: {
    cpus: number;
    cpu_model?: string;
    node: string;
    /** At the end of the run. */
    loadavg: number[];
    loadavg_start?: number[];
  };
  options: {
    profiles?: PeerProfile[];
    size?: number;
    pingpongWarmup?: number;
    [option: string]: unknown;
  };
  notes: string[];
  runs: RunRecord[];
  raw: RawRecord[];
  in_process: InProcessResult[];
  targets: TargetResult[];
}

/** Reads a results file written by `npm run bench` (`--out`). */
export function readBenchResults(file: string): BenchResults {
  const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  if (!Array.isArray(results.runs) || !Array.isArray(results.raw))
    throw new Error(`${file} is not a results file of npm run bench`);
  return results;
}
