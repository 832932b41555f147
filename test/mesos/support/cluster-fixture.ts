import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import {
  type SpawnedProcess,
  stopAllSpawned,
} from '../../support/spawned-process.js';
import { type ClusterOptions, MesosCluster } from './mesos-cluster.js';
import type { MesosInstall } from './mesos-install.js';
import { ensureSampleBuilt, startSample } from './sample-cli.js';

/** What a test gets from {@link sharedCluster} (filled in by its `beforeAll`). */
export interface ClusterFixture {
  readonly cluster: MesosCluster;
  /** A directory for the test's own files (secrets, pid files), removed with the cluster. */
  readonly scratch: string;
}

export interface FixtureOptions {
  /** The tests run the sample CLI: build it (if stale) while the cluster starts. */
  sample?: boolean;
}

/** Starts a cluster (and builds the sample meanwhile, if asked), with a scratch dir in it. */
async function startFixture(
  install: MesosInstall,
  options: ClusterOptions,
  { sample = false }: FixtureOptions,
): Promise<ClusterFixture> {
  const [cluster] = await Promise.all([
    MesosCluster.start(install, options),
    sample ? ensureSampleBuilt() : undefined,
  ]);
  const scratch = join(cluster.workDir, 'test');
  mkdirSync(scratch);
  return { cluster, scratch };
}

/**
 * One cluster for every test of the enclosing `describe` block: started in `beforeAll`,
 * stopped (work dir and scratch removed) in `afterAll`; with `sample`, the sample processes a
 * test started are stopped after it. The tests read `fixture.cluster` once it started.
 */
export function sharedCluster(
  install: MesosInstall,
  options: ClusterOptions,
  fixtureOptions: FixtureOptions = {},
): ClusterFixture {
  let started: ClusterFixture | undefined;
  beforeAll(async () => {
    started = await startFixture(install, options, fixtureOptions);
  }, 300_000);
  if (fixtureOptions.sample) afterEach(stopAllSpawned);
  afterAll(() => started?.cluster.stop(), 120_000);
  const get = () => {
    if (!started) throw new Error(`cluster ${options.name} did not start`);
    return started;
  };
  return {
    get cluster() {
      return get().cluster;
    },
    get scratch() {
      return get().scratch;
    },
  };
}

/** Starts a sample CLI child owned by one {@link withCluster} body. */
export type SampleStarter = (
  label: string,
  args: readonly string[],
) => SpawnedProcess;

/**
 * Runs `body` with a cluster of its own (for tests that run concurrently, or that break their
 * cluster); the cluster and every sample `body` started through `sample` are always stopped,
 * also when `body` throws, whose error then carries the tail of the cluster's logs. None of it
 * stops what another concurrent test started.
 */
export async function withCluster(
  install: MesosInstall,
  options: ClusterOptions,
  body: (cluster: MesosCluster, sample: SampleStarter) => Promise<void>,
): Promise<void> {
  const { cluster } = await startFixture(install, options, { sample: true });
  const children: SpawnedProcess[] = [];
  const sample: SampleStarter = (label, args) => {
    const child = startSample(label, args);
    children.push(child);
    return child;
  };
  try {
    await body(cluster, sample);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${cluster.logTail()}`, {
      cause: error,
    });
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await cluster.stop();
  }
}
