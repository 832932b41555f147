import { describe, expect, it } from '@jest/globals';
import { fromProto } from '../../../lib/mesos/testing/common/resources.js';
import {
  allocate,
  type AllocatorAgent,
  type AllocatorFramework,
  dominantShare,
} from '../../../lib/mesos/testing/master/allocator.js';

const bag = (cpus: number, mem: number) =>
  fromProto([
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
  ] as never);

const agent = (
  id: string,
  cpus = 4,
  mem = 4096,
  available = bag(cpus, mem),
): AllocatorAgent => ({
  id,
  total: bag(cpus, mem),
  available,
  active: true,
});

const framework = (
  id: string,
  overrides: Partial<AllocatorFramework> = {},
): AllocatorFramework => ({
  id,
  active: true,
  suppressed: false,
  allocated: new Map(),
  filters: new Map(),
  ...overrides,
});

describe('allocate (DRF, one role)', () => {
  it('offers each active agent whole to the framework with the lowest dominant share', () => {
    const result = allocate(
      [agent('a1'), agent('a2')],
      [framework('f1', { allocated: bag(2, 0) }), framework('f2')],
      0,
    );
    // f2 (share 0) gets a1; then f1 (0.25 of 8 cpus) and f2 (0.5) -> f1 gets a2.
    expect(result.map((r) => [r.agentId, r.frameworkId])).toEqual([
      ['a1', 'f2'],
      ['a2', 'f1'],
    ]);
    expect(result[0].resources).toEqual(bag(4, 4096));
  });

  it('skips suppressed, inactive and filtered frameworks, and filters that expired apply again', () => {
    const frameworks = [
      framework('f1', { suppressed: true }),
      framework('f2', { active: false }),
      framework('f3', { filters: new Map([['a1', 1000]]) }),
    ];
    expect(allocate([agent('a1')], frameworks, 999)).toEqual([]);
    expect(
      allocate([agent('a1')], frameworks, 1000).map((r) => r.frameworkId),
    ).toEqual(['f3']);
  });

  it('does not offer an agent below the minimum allocatable resources (cpus 0.01 or mem 32)', () => {
    expect(
      allocate([agent('a1', 4, 4096, bag(0.005, 31))], [framework('f1')], 0),
    ).toEqual([]);
    expect(
      allocate([agent('a1', 4, 4096, bag(0, 32))], [framework('f1')], 0),
    ).toHaveLength(1);
    expect(
      allocate([{ ...agent('a1'), active: false }], [framework('f1')], 0),
    ).toEqual([]);
  });

  it('computes the dominant share over the cluster total', () => {
    expect(dominantShare(bag(1, 3072), bag(4, 4096))).toBe(0.75);
    expect(dominantShare(new Map(), bag(4, 4096))).toBe(0);
  });
});
