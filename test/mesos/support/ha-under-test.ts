import type { MesosSimulator } from '../../../lib/mesos/testing/index.js';
import type { MesosCluster } from './mesos-cluster.js';
import {
  type MesosUnderTest,
  realMesos,
  simulatedMesos,
} from './mesos-under-test.js';
import type { ZooKeeperServer } from './zookeeper-server.js';

/**
 * Masters in HA, as a driver meets them: a leader with the agent, a master that does not
 * lead, and a ZooKeeper where the leader is found. One HA scenario with one set of expected
 * observations runs on real masters and on the simulator.
 */
export interface HaUnderTest {
  readonly label: string;
  /** `zk://127.0.0.1:P/mesos`: where the masters elect their leader. */
  readonly zkUrl: string;
  /** The leading master (with the agent). */
  readonly leader: MesosUnderTest;
  /** `host:port` of a master that does not lead: it answers 307 to the leader, drops messages. */
  readonly standbyAddr: string;
  /**
   * SIGKILLs the leading master. Resolves with the master that leads next, which may not be
   * elected yet: finding it is the driver's business.
   */
  failLeader(): Promise<MesosUnderTest>;
}

/** Session timeout of masters and agent (2 s instead of 10 s: an election in about 2.4 s). */
export const ZK_SESSION_TIMEOUT = '--zk_session_timeout=2secs';

/**
 * Two real masters on one real ZooKeeper: `leader` (started first, so its znode leads) with
 * the agent, `standby` without. Killing the leader ends its ZooKeeper session; the standby is
 * elected and the agent re-registers with it.
 */
export function realHa(
  zk: ZooKeeperServer,
  leader: MesosCluster,
  standby: MesosCluster,
): HaUnderTest {
  return {
    label: 'real Mesos 1.12 (HA)',
    zkUrl: zk.url(),
    leader: realMesos(leader),
    standbyAddr: standby.masterAddr,
    async failLeader() {
      await leader.killMaster('SIGKILL');
      return realMesos(standby);
    },
  };
}

/**
 * The simulator's stand-ins: a leading simulator (with the agent) registered in ZooKeeper as
 * a Mesos master registers, and a non-leading one (`leading: false`, no agent) that answers
 * 307 to it. The simulator has no agent that moves to another master: its leader "fails" by
 * {@link MesosSimulator.failover} (the old master's znode and sockets go, a new master with a
 * new id and a new znode comes up, the agent re-registers with it). The non-leading one stays
 * out of ZooKeeper, where it would outrank the new leader's znode.
 */
export async function simulatedHa(zk: ZooKeeperServer): Promise<
  HaUnderTest & {
    simulators: MesosSimulator[];
  }
> {
  const leader = await simulatedMesos({
    zk: zk.url(),
    zkSessionTimeoutMs: 2000,
  });
  const standby = await simulatedMesos({
    leading: false,
    leader: leader.masterAddr,
    agents: 0,
  });
  return {
    label: 'simulator (HA)',
    zkUrl: zk.url(),
    leader,
    standbyAddr: standby.masterAddr,
    simulators: [leader.simulator, standby.simulator],
    async failLeader() {
      await leader.simulator.failover({ registry: 'in_memory' });
      return leader;
    },
  };
}
