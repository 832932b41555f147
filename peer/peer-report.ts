/**
 * Result lines in the reference peers' format: one JSON object per line, keys in the order
 * compactor and the C++ peer print them, with Python's `json.dumps` spacing.
 */
export type ReportLine = Record<string, string | number | null | undefined>;

/** `{"peer": "ts", "mode": "send", ...}`; undefined values are left out. */
export function formatReportLine(record: ReportLine): string {
  const fields = Object.entries(record)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{${fields.join(', ')}}`;
}

/** Rounds half away from zero to `digits` decimals, as the peers' `round()` does. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The peers' percentile rule on an ascending array: index `round(p/100 * n + 0.5) - 1`,
 * clamped to the array (nearest rank).
 */
export function percentile(sorted: readonly number[], p: number): number {
  const k = Math.round((p / 100) * sorted.length + 0.5) - 1;
  return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
}

/** Latency summary of a pingpong run, in microseconds. */
export function latencySummary(latenciesUs: number[]): ReportLine {
  const sorted = [...latenciesUs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    p50_us: round(percentile(sorted, 50), 1),
    p90_us: round(percentile(sorted, 90), 1),
    p99_us: round(percentile(sorted, 99), 1),
    max_us: round(sorted[sorted.length - 1], 1),
    mean_us: round(sum / sorted.length, 1),
  };
}
