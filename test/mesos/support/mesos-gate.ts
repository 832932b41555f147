import { afterAll, describe, it } from '@jest/globals';
import {
  lookupMesos,
  lookupZooKeeper,
  MESOS_SETUP_HINT,
  mesosRequired,
  type MesosInstall,
  ZOOKEEPER_SETUP_HINT,
} from './mesos-install.js';
import { stopAllClusters } from './mesos-cluster.js';

export interface MesosGateOptions {
  /** The block also needs a ZooKeeper server (zk.sh). */
  zookeeper?: boolean;
}

/**
 * Registers `body` as a `describe` block when a real Mesos (and, if asked, ZooKeeper) is
 * installed.
 *
 * When it is not, the block's tests are not registered; instead one test either fails naming
 * what is missing (`LIBPROCESS_MESOS_REQUIRED=1`, as in CI) or prints one line saying what is
 * missing and the setup command, so a plain `npm test` on a machine without Mesos stays green
 * and says why it did not test against Mesos.
 */
export function describeWithMesos(
  title: string,
  body: (install: MesosInstall) => void,
  options: MesosGateOptions = {},
): void {
  const mesos = lookupMesos();
  let missing: string | undefined;
  if (!mesos.ok) {
    missing = `Mesos not found (${mesos.reason}); install it with: ${MESOS_SETUP_HINT}`;
  } else if (options.zookeeper) {
    const zk = lookupZooKeeper(mesos.value);
    if (!zk.ok) {
      missing = `${zk.reason}; install it with: ${ZOOKEEPER_SETUP_HINT}`;
    }
  }
  if (mesos.ok && missing === undefined) {
    const install = mesos.value;
    describe(`real Mesos 1.12: ${title}`, () => {
      // Whatever a failing or timed-out test left running is stopped here at the latest.
      afterAll(stopAllClusters, 120_000);
      body(install);
    });
    return;
  }
  if (mesosRequired()) {
    it(`real Mesos 1.12: ${title}: installed (LIBPROCESS_MESOS_REQUIRED=1)`, () => {
      throw new Error(missing);
    });
    return;
  }
  // A skip Jest reports as such, and one line per test process saying how to get the tests.
  if (!announced) {
    announced = true;
    process.stderr.write(`[mesos] real Mesos tests skipped: ${missing}\n`);
  }
  it.skip(`real Mesos 1.12: ${title} (${missing})`, () => undefined);
}

let announced = false;
