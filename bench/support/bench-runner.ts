import { report } from './in-process-result.js';

/** `--quick` on the command line of a benchmark file: fewer and shorter repeats. */
export const QUICK = process.argv.includes('--quick');

/** Repeats of every in-process measurement (after one unmeasured warm-up run). */
export const REPEATS = QUICK ? 1 : 3;

/**
 * Runs `measure` once to warm up (JIT, caches), then {@link REPEATS} times, printing one
 * result line per repeat. `measure` returns the value of one run (msgs/s, MB, ...).
 */
export async function repeatMeasure(
  name: string,
  unit: string,
  measure: () => number | Promise<number>,
  details: Record<string, unknown> = {},
): Promise<void> {
  await measure();
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    report({ name, value: await measure(), unit, repeat, ...details });
  }
}

/** CPU time (user + system) this process has used, in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Calls `round` (which handles `perRound` messages) until at least `minMs` of CPU time have
 * passed and returns messages per CPU second. CPU time, not wall time: the machines are
 * shared, and a benchmark that is descheduled should not look slower for it.
 */
export function rate(
  perRound: number,
  minMs: number,
  round: () => void,
): number {
  let messages = 0;
  const start = cpuMs();
  let elapsed: number;
  do {
    round();
    messages += perRound;
    elapsed = cpuMs() - start;
  } while (elapsed < minMs);
  return (messages / elapsed) * 1000;
}

/** Resident set size of this process in MB, after a full GC when `--expose-gc` is on. */
export function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}
