import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** Bytes in use in V8's young generation, where every short-lived object is allocated. */
function youngBytes(): number {
  return (
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
      ?.space_used_size ?? NaN
  );
}

/**
 * Bytes allocated per message in the steady state: the growth of the young generation over
 * `round` (which handles `perRound` messages), taken only from rounds during which no GC ran
 * (a GC would empty it), median of `samples` such rounds. Deterministic to a byte or so, unlike
 * a time, so it stays meaningful on a busy machine.
 */
export async function bytesPerMessage(
  perRound: number,
  round: () => Promise<void>,
  samples = 9,
): Promise<number> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const values: number[] = [];
  try {
    for (
      let attempt = 0;
      attempt < samples * 4 && values.length < samples;
      attempt++
    ) {
      // GC entries are delivered asynchronously: let those of the previous round arrive.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const seen = collections;
      const before = youngBytes();
      await round();
      const after = youngBytes();
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (collections === seen && after >= before) {
        values.push((after - before) / perRound);
      }
    }
  } finally {
    observer.disconnect();
  }
  values.sort((a, b) => a - b);
  return values.length === 0 ? NaN : values[values.length >> 1];
}
