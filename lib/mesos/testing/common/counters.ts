/**
 * Counters named as in a real master's or agent's `GET /metrics/snapshot` (`master/...`,
 * `slave/...`): the simulator keeps only the few that tests compare with a real cluster, and
 * serves them under the same names so that one observation reads both.
 */
export class Counters<Name extends string> {
  private readonly values = new Map<Name, number>();

  constructor(names: readonly Name[]) {
    for (const name of names) this.values.set(name, 0);
  }

  increment(name: Name): void {
    this.values.set(name, (this.values.get(name) ?? 0) + 1);
  }

  get(name: Name): number {
    return this.values.get(name) ?? 0;
  }

  /** `{ 'master/...': n, ... }`, as the real endpoint lists them. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  /** Adds `other`'s values to these (the agents node reports the sum of its agents). */
  static sum<Name extends string>(
    all: ReadonlyArray<Counters<Name>>,
  ): Record<string, number> {
    const total: Record<string, number> = {};
    for (const counters of all) {
      for (const [name, value] of counters.values)
        total[name] = (total[name] ?? 0) + value;
    }
    return total;
  }
}
