/** Something a test started outside the Jest worker (a cluster, a ZooKeeper server). */
export interface StoppableProcess {
  /** Stops it and waits until it is gone; idempotent. */
  stop(): Promise<void>;
  /** The same for the exit hook, where only synchronous work runs. */
  stopSync(): void;
}

/** Started and not yet stopped. */
const live = new Set<StoppableProcess>();

process.once('exit', () => {
  // Last resort (a worker torn down after a timeout): synchronous, so it runs inside 'exit'.
  for (const entry of live) entry.stopSync();
});

/** Tracks `entry` until {@link untrack}: it is stopped by {@link stopAllTracked} or at exit. */
export function track(entry: StoppableProcess): void {
  live.add(entry);
}

export function untrack(entry: StoppableProcess): void {
  live.delete(entry);
}

/**
 * Stops everything still running (registered as `afterAll` by `describeWithMesos`), so that a
 * failing or timed-out test leaves no cluster or ZooKeeper behind.
 */
export async function stopAllTracked(): Promise<void> {
  const errors: unknown[] = [];
  await Promise.all(
    [...live].map((entry) =>
      entry.stop().catch((error: unknown) => errors.push(error)),
    ),
  );
  if (errors.length > 0) throw errors[0];
}
