import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  type HaUnderTest,
  realHa,
  simulatedHa,
  ZK_SESSION_TIMEOUT,
} from './support/ha-under-test.js';
import { masterMetrics } from './support/master-state.js';
import { MesosCluster } from './support/mesos-cluster.js';
import { describeWithMesos } from './support/mesos-gate.js';
import { ZooKeeperServer } from './support/zookeeper-server.js';
import { registerHaScenarios } from './scenarios/ha-scenarios.js';

/**
 * Two real masters electing their leader in one real ZooKeeper (HA), the leader with the agent:
 * what a scheduler sees of an HA cluster, and the driver (`nestjs-libprocess/mesos`, in this
 * process) given the non-leader's address or `zk://`, through a failover of the leader.
 */
describeWithMesos(
  'HA masters on ZooKeeper',
  (install) => {
    let zk: ZooKeeperServer;
    let leader: MesosCluster;
    let standby: MesosCluster;

    beforeAll(async () => {
      zk = await ZooKeeperServer.start(install);
      // One after the other: the first to register its znode leads.
      leader = await MesosCluster.start(install, {
        name: 'ha-leader',
        zk: zk.url(),
        masterFlags: [ZK_SESSION_TIMEOUT],
        agentFlags: [ZK_SESSION_TIMEOUT],
      });
      standby = await MesosCluster.start(install, {
        name: 'ha-standby',
        zk: zk.url(),
        noAgent: true,
        masterFlags: [ZK_SESSION_TIMEOUT],
      });
    }, 300_000);

    afterAll(async () => {
      await Promise.all([leader?.stop(), standby?.stop()]);
      await zk?.stop();
    }, 120_000);

    it('the standby answers GET /master/state with a 307 to the leader (protocol-relative Location, no body)', async () => {
      const answer = await standby.masterGet('/master/state');

      expect(answer.status).toBe(307);
      expect(answer.headers.location).toBe(
        `//${leader.masterAddr}/master/state`,
      );
      expect(answer.body).toBe('');
      // The leader answers itself, naming itself as leader.
      const state = await leader.masterJson<{ leader: string }>(
        '/master/state',
      );
      expect(state.leader).toBe(leader.masterUpid);
      // Both say whether they are elected in their metrics (answered locally, no redirect).
      const standbyMetrics = await masterMetrics(standby);
      expect(standbyMetrics['master/elected']).toBe(0);
    }, 30_000);

    registerHaScenarios(() => realHa(zk, leader, standby));
  },
  { zookeeper: true },
);

describeWithMesos(
  'HA masters on ZooKeeper: the same driver scenarios on the simulator',
  (install) => {
    let zk: ZooKeeperServer;
    let ha: Awaited<ReturnType<typeof simulatedHa>>;

    beforeAll(async () => {
      zk = await ZooKeeperServer.start(install);
      ha = await simulatedHa(zk);
    }, 120_000);

    afterAll(async () => {
      for (const simulator of ha?.simulators ?? []) await simulator.close();
      await zk?.stop();
    }, 60_000);

    registerHaScenarios((): HaUnderTest => ha);
  },
  { zookeeper: true },
);
