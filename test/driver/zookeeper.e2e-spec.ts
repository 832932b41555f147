import { afterAll, expect, it } from '@jest/globals';

import { DriverStatus } from '../../lib/mesos/index.js';
import { MesosSimulator } from '../../lib/mesos/testing/index.js';
import { describeWithZooKeeper } from '../mesos/support/mesos-gate.js';
import { ZooKeeperServer } from '../mesos/support/zookeeper-server.js';
import { waitFor } from '../support/wait-for.js';
import { startDriverApp } from './support/driver-harness.js';

describeWithZooKeeper(
  'SchedulerDriver with zk:// against a real ZooKeeper',
  (install) => {
    const closables: Array<
      { close(): Promise<unknown> } | { stop(): Promise<unknown> }
    > = [];
    afterAll(async () => {
      for (const item of closables.reverse()) {
        await ('close' in item ? item.close() : item.stop());
      }
    }, 60_000);

    it('finds the leader in json.info_ znodes and re-subscribes to the next one when it dies', async () => {
      const zk = await ZooKeeperServer.start(install, 500);
      closables.push(zk);
      const url = zk.url('/mesos');
      const first = await MesosSimulator.start({
        logger: false,
        zk: url,
        zkSessionTimeoutMs: 2000,
      });
      closables.push(first);
      const second = await MesosSimulator.start({
        logger: false,
        zk: url,
        zkSessionTimeoutMs: 2000,
      });
      closables.push(second);

      const { app, driver, scheduler } = await startDriverApp({ master: url });
      closables.push(app);
      await waitFor(() => driver.connected, 20_000, 'registered via ZooKeeper');
      expect(driver.master?.pid).toBe(first.master.toString());
      const frameworkId = driver.frameworkId;

      // The leader dies: its session ends, its ephemeral znode goes, the next one leads. (Both
      // simulated masters serve; only ZooKeeper's order makes the second a standby.)
      await first.close();

      await waitFor(
        () =>
          driver.connected && driver.master?.pid === second.master.toString(),
        30_000,
        're-subscribed to the new leader',
      );
      expect(scheduler.count('disconnected')).toBe(1);
      expect(driver.status).toBe(DriverStatus.RUNNING);
      expect(driver.frameworkId).toBe(frameworkId);
      const subscribe = second.calls.find(
        ({ call }) => call.type === 'SUBSCRIBE',
      )!;
      expect(subscribe.call.framework_id?.value).toBe(frameworkId);
      // Reconciliation through the new leader is answered.
      const answers = await driver.reconcile([{ task_id: { value: 'gone' } }]);
      expect(answers[0].task_id.value).toBe('gone');
    }, 90_000);
  },
);
