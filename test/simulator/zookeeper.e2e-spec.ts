import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import zookeeper from 'node-zookeeper-client';
import { describeWithMesos } from '../mesos/support/mesos-gate.js';
import { ZooKeeperServer } from '../mesos/support/zookeeper-server.js';
import { Cluster } from './simulator-test.helpers.js';

/** The children of a znode and their data, read with a client of our own. */
async function znodes(
  address: string,
  path: string,
): Promise<Map<string, string>> {
  const client = zookeeper.createClient(address, { sessionTimeout: 4000 });
  await new Promise<void>((resolve) => {
    client.once('connected', () => resolve());
    client.connect();
  });
  try {
    const children = await new Promise<string[]>((resolve, reject) =>
      client.getChildren(path, (error, names) =>
        error ? reject(error) : resolve(names),
      ),
    );
    const result = new Map<string, string>();
    for (const child of children.sort()) {
      const data = await new Promise<Buffer>((resolve, reject) =>
        client.getData(`${path}/${child}`, (error, bytes) =>
          error ? reject(error) : resolve(bytes),
        ),
      );
      result.set(child, data.toString());
    }
    return result;
  } finally {
    client.close();
  }
}

/**
 * Two simulated masters registered in a real ZooKeeper (../shared/mesos/zk.sh) as Mesos masters
 * register: what a driver's `zk://` detection reads in HA tests.
 */
describeWithMesos(
  'MesosSimulator: MasterInfo in ZooKeeper',
  (install) => {
    const cluster = new Cluster();
    let zk: ZooKeeperServer;

    beforeAll(async () => {
      zk = await ZooKeeperServer.start(install);
    }, 120_000);
    afterEach(() => cluster.close());
    afterAll(() => zk?.stop());

    it("creates ephemeral sequential json.info_ znodes with the MasterInfo JSON; the leader's goes with its session", async () => {
      const leader = await cluster.simulator({
        zk: zk.url(),
        zkSessionTimeoutMs: 4000,
      });
      const standby = await cluster.simulator({
        zk: zk.url(),
        zkSessionTimeoutMs: 4000,
        leading: false,
        leader: leader.address,
      });
      const nodes = await znodes(zk.address, '/mesos');
      expect([...nodes.keys()]).toEqual([
        'json.info_0000000000',
        'json.info_0000000001',
      ]);
      const info = JSON.parse(nodes.get('json.info_0000000000')!);
      expect(info).toMatchObject({
        id: leader.id,
        pid: leader.master.toString(),
        port: leader.master.port,
        ip: 0x0100007f,
        address: { ip: '127.0.0.1', port: leader.master.port },
        version: '1.12.0',
      });
      expect(Object.keys(info)).toEqual([...Object.keys(info)].sort());
      expect(JSON.parse(nodes.get('json.info_0000000001')!).pid).toBe(
        standby.master.toString(),
      );

      await leader.close();
      const after = await znodes(zk.address, '/mesos');
      expect([...after.keys()]).toEqual(['json.info_0000000001']);
      // The standby takes over when told (the simulator does not run the election itself).
      await standby.elect();
      const state = await fetch(`http://${standby.address}/master/state`);
      expect(((await state.json()) as { leader: string }).leader).toBe(
        standby.master.toString(),
      );
    }, 60_000);
  },
  { zookeeper: true },
);
