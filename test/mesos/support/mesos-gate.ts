import { afterAll } from '@jest/globals';
import { describeRequiring } from '../../support/require-gate.js';
import { stopAllTracked } from './tracked-processes.js';
import {
  lookupMesos,
  lookupZooKeeper,
  MESOS_SETUP_HINT,
  mesosInstall,
  type MesosInstall,
  ZOOKEEPER_SETUP_HINT,
} from './mesos-install.js';

export interface MesosGateOptions {
  /** The block also needs a ZooKeeper server (zk.sh). */
  zookeeper?: boolean;
}

/**
 * Registers `body` as a `describe` block when a real Mesos (and, if asked, ZooKeeper) is
 * installed; otherwise a reported skip naming the setup command, or, with
 * `LIBPROCESS_MESOS_REQUIRED=1` (set by .ci/run), a failing test.
 */
export function describeWithMesos(
  title: string,
  body: (install: MesosInstall) => void,
  options: MesosGateOptions = {},
): void {
  const mesos = lookupMesos();
  const zk =
    mesos.ok && options.zookeeper ? lookupZooKeeper(mesos.value) : undefined;
  const availability = !mesos.ok
    ? {
        ok: false as const,
        reason: mesos.reason,
        installHint: MESOS_SETUP_HINT,
      }
    : zk && !zk.ok
      ? {
          ok: false as const,
          reason: zk.reason,
          installHint: ZOOKEEPER_SETUP_HINT,
        }
      : { ok: true as const };
  describeRequiring(
    `real Mesos 1.12: ${title}`,
    availability,
    {
      what: zk && !zk.ok ? 'ZooKeeper' : 'Mesos 1.12',
      requiredBy: 'LIBPROCESS_MESOS_REQUIRED',
    },
    () => {
      // Whatever a failing or timed-out test left running is stopped here at the latest.
      afterAll(stopAllTracked, 120_000);
      if (mesos.ok) body(mesos.value);
    },
  );
}

/**
 * Registers `body` when zk.sh can start a real ZooKeeper server (no Mesos binaries needed: the
 * masters are simulated); otherwise a reported skip, or a failure under
 * `LIBPROCESS_MESOS_REQUIRED=1`, as {@link describeWithMesos}.
 */
export function describeWithZooKeeper(
  title: string,
  body: (install: MesosInstall) => void,
): void {
  const install = mesosInstall();
  const zk = lookupZooKeeper(install);
  describeRequiring(
    title,
    zk.ok
      ? { ok: true }
      : { ok: false, reason: zk.reason, installHint: ZOOKEEPER_SETUP_HINT },
    { what: 'ZooKeeper', requiredBy: 'LIBPROCESS_MESOS_REQUIRED' },
    () => body(install),
  );
}
