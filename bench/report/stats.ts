/** Median and range of a set of repeated measurements. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max - min) / median: how far apart the repeats were (0.1 = 10 %). */
  spread: number;
  count: number;
}

/** Summarises the finite values; undefined when there are none. */
export function summarize(values: readonly unknown[]): Summary | undefined {
  const numbers = values
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (numbers.length === 0) return undefined;
  const mid = numbers.length >> 1;
  const median =
    numbers.length % 2 === 1
      ? numbers[mid]
      : (numbers[mid - 1] + numbers[mid]) / 2;
  const min = numbers[0];
  const max = numbers[numbers.length - 1];
  return {
    median,
    min,
    max,
    spread: median === 0 ? 0 : (max - min) / median,
    count: numbers.length,
  };
}

/** `123,456` / `12.3` style: thousands separators, one decimal below 100. */
export function formatNumber(value: number): string {
  return value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value.toFixed(1);
}

/** `median (min-max)`, or `-` when nothing was measured. */
export function formatSummary(summary: Summary | undefined): string {
  if (summary === undefined) return '-';
  if (summary.count < 2) return formatNumber(summary.median);
  return `${formatNumber(summary.median)} (${formatNumber(summary.min)}-${formatNumber(summary.max)})`;
}
