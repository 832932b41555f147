import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { stopAllSpawned } from '../support/spawned-process.js';
import { MesosCluster } from './support/mesos-cluster.js';
import { describeWithMesos } from './support/mesos-gate.js';
import { pollUntil } from './support/process-watch.js';
import { ZooKeeperServer } from './support/zookeeper-server.js';

/** Masters and agent give up a lost ZooKeeper session after 2 s instead of 10 s. */
const ZK_SESSION = '--zk_session_timeout=2secs';

/**
 * Two real masters electing their leader in one real ZooKeeper (HA), the leader with the agent.
 * What a scheduler sees of an HA cluster, and what the simulator's HA stand-ins must match.
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
        masterFlags: [ZK_SESSION],
        agentFlags: [ZK_SESSION],
      });
      standby = await MesosCluster.start(install, {
        name: 'ha-standby',
        zk: zk.url(),
        noAgent: true,
        masterFlags: [ZK_SESSION],
      });
    }, 300_000);

    afterEach(stopAllSpawned);
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
      const standbyMetrics =
        await standby.masterJson<Record<string, number>>('/metrics/snapshot');
      expect(standbyMetrics['master/elected']).toBe(0);
    }, 30_000);

    it('the standby is elected once the leader is killed, and the agent re-registers with it', async () => {
      await leader.killMaster('SIGKILL');
      await pollUntil(
        async () => {
          try {
            const metrics =
              await standby.masterJson<Record<string, number>>(
                '/metrics/snapshot',
              );
            return metrics['master/elected'] === 1;
          } catch {
            return false;
          }
        },
        30_000,
        `${standby.masterUpid} to be elected`,
      );
      await pollUntil(
        async () => {
          const slaves = await standby.masterJson<{
            slaves: Array<{ id: string; active: boolean }>;
          }>('/master/slaves');
          return slaves.slaves.some((s) => s.id === leader.agentId && s.active);
        },
        30_000,
        `agent ${leader.agentId} to re-register with ${standby.masterUpid}`,
      );
    }, 90_000);
  },
  { zookeeper: true },
);
