import type { Resource } from '../../mesos.types.js';

/** An inclusive range of ports (or any RANGES resource). */
export interface ValueRange {
  begin: number;
  end: number;
}

/**
 * Resources by name, the way the simulated master accounts for them: scalars (cpus, mem,
 * disk, gpus) as numbers and ranges (ports) as sorted, merged ranges. Roles, reservations,
 * volumes and SET resources are not modelled: every resource is unreserved (`*`).
 */
export type ResourceBag = ReadonlyMap<string, number | readonly ValueRange[]>;

/** Mesos does scalar arithmetic in fixed point with three decimals (Value::Scalar). */
const round = (value: number) => Math.round(value * 1000) / 1000;

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function normalize(ranges: readonly ValueRange[]): ValueRange[] {
  const sorted = ranges
    .filter((r) => r.end >= r.begin)
    .map((r) => ({ ...r }))
    .sort((a, b) => a.begin - b.begin);
  const merged: ValueRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.begin <= last.end + 1) {
      last.end = Math.max(last.end, range.end);
    } else {
      merged.push(range);
    }
  }
  return merged;
}

function subtractRanges(
  from: readonly ValueRange[],
  minus: readonly ValueRange[],
): ValueRange[] {
  let result = normalize(from);
  for (const cut of minus) {
    result = result.flatMap((r) => {
      if (cut.end < r.begin || cut.begin > r.end) return [r];
      const parts: ValueRange[] = [];
      if (cut.begin > r.begin)
        parts.push({ begin: r.begin, end: cut.begin - 1 });
      if (cut.end < r.end) parts.push({ begin: cut.end + 1, end: r.end });
      return parts;
    });
  }
  return result;
}

function rangesContain(
  outer: readonly ValueRange[],
  inner: readonly ValueRange[],
): boolean {
  return inner.every((r) =>
    outer.some((o) => o.begin <= r.begin && r.end <= o.end),
  );
}

/** Sums protobuf resources by name. Unknown types (SET, TEXT) are ignored. */
export function fromProto(
  resources: readonly Resource[] | undefined,
): ResourceBag {
  const bag = new Map<string, number | ValueRange[]>();
  for (const resource of resources ?? []) {
    if (resource.scalar !== undefined && resource.scalar !== null) {
      const previous = bag.get(resource.name);
      bag.set(
        resource.name,
        round(
          (typeof previous === 'number' ? previous : 0) + resource.scalar.value,
        ),
      );
    } else if (resource.ranges) {
      const previous = bag.get(resource.name);
      const ranges = (resource.ranges.range ?? []).map((r) => ({
        begin: toNumber(r.begin),
        end: toNumber(r.end),
      }));
      bag.set(
        resource.name,
        normalize([...(Array.isArray(previous) ? previous : []), ...ranges]),
      );
    }
  }
  return bag;
}

/** Unreserved protobuf resources, scalars first in name order as the master prints them. */
export function toProto(bag: ResourceBag): Resource[] {
  const resources: Resource[] = [];
  for (const [name, value] of [...bag].sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof value === 'number') {
      if (value <= 0) continue;
      resources.push({
        name,
        type: 'SCALAR',
        scalar: { value: round(value) },
        role: '*',
      } as Resource);
    } else if (value.length > 0) {
      resources.push({
        name,
        type: 'RANGES',
        ranges: {
          range: value.map((r) => ({
            begin: String(r.begin),
            end: String(r.end),
          })),
        },
        role: '*',
      } as unknown as Resource);
    }
  }
  return resources;
}

export function add(a: ResourceBag, b: ResourceBag): ResourceBag {
  const sum = new Map(a);
  for (const [name, value] of b) {
    const mine = sum.get(name);
    if (typeof value === 'number') {
      sum.set(name, round((typeof mine === 'number' ? mine : 0) + value));
    } else {
      sum.set(
        name,
        normalize([...(Array.isArray(mine) ? mine : []), ...value]),
      );
    }
  }
  return sum;
}

/** `a - b`, never below zero (like Resources::operator-, which drops what it cannot subtract). */
export function subtract(a: ResourceBag, b: ResourceBag): ResourceBag {
  const difference = new Map(a);
  for (const [name, value] of b) {
    const mine = difference.get(name);
    if (mine === undefined) continue;
    if (typeof value === 'number' && typeof mine === 'number') {
      difference.set(name, Math.max(0, round(mine - value)));
    } else if (Array.isArray(value) && Array.isArray(mine)) {
      difference.set(name, subtractRanges(mine, value));
    }
  }
  return difference;
}

/** Whether `outer` holds all of `inner` (Resources::contains). */
export function contains(outer: ResourceBag, inner: ResourceBag): boolean {
  for (const [name, value] of inner) {
    const mine = outer.get(name);
    if (typeof value === 'number') {
      if (value <= 0) continue;
      if (typeof mine !== 'number' || mine + 1e-9 < value) return false;
    } else if (value.length > 0) {
      if (!Array.isArray(mine) || !rangesContain(mine, value)) return false;
    }
  }
  return true;
}

export function scalar(bag: ResourceBag, name: string): number {
  const value = bag.get(name);
  return typeof value === 'number' ? value : 0;
}

export function isEmpty(bag: ResourceBag): boolean {
  for (const value of bag.values()) {
    if (typeof value === 'number' ? value > 0 : value.length > 0) return false;
  }
  return true;
}

/** `cpus:0.5; mem:128; ports:[31000-31009]`, the spelling of Mesos' log lines. */
export function format(bag: ResourceBag): string {
  const parts = [...bag]
    .filter(([, v]) => (typeof v === 'number' ? v > 0 : v.length > 0))
    .map(([name, v]) =>
      typeof v === 'number'
        ? `${name}:${round(v)}`
        : `${name}:[${v.map((r) => `${r.begin}-${r.end}`).join(', ')}]`,
    );
  return parts.length > 0 ? parts.join('; ') : '{}';
}
