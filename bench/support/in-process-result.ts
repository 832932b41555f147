/**
 * One result line of an in-process benchmark (bench/micro, bench/scale). Each benchmark file
 * runs in its own Node process (clean heap, its own RSS) and prints one JSON line per result.
 */
export interface InProcessResult {
  /** Dotted id, e.g. `micro.parser.libprocess`, `scale.spawn.rss`. */
  name: string;
  value: number;
  unit: string;
  repeat?: number;
  error?: string;
  [detail: string]: unknown;
}

/** Prints one result line (what the harness reads back). */
export function report(result: InProcessResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
