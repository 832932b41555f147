import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';

import { DriverStatus, type TaskInfo } from '../../lib/mesos/index.js';
import { startSimulator } from '../../sample/run-sample.js';
import { waitFor } from '../support/wait-for.js';
import { startDriverApp } from './support/driver-harness.js';

describe('SchedulerDriver against the master simulator', () => {
  const apps: Array<Pick<INestMicroservice, 'close'>> = [];

  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
  });

  async function simulator() {
    const started = await startSimulator({ ip: '127.0.0.1' }, false);
    apps.push(started.app);
    return { ...started, process: started.app };
  }

  it('registers, launches a task from an offer, acknowledges its updates and tears down', async () => {
    const sim = await simulator();
    const { app, driver, scheduler } = await startDriverApp({
      master: `${sim.master.host}:${sim.master.port}`,
    });
    apps.push(app);
    let launched = false;
    scheduler.on.resourceOffers = (offers: TaskInfo[] & any[]) => {
      for (const offer of offers) {
        if (launched) {
          driver.declineOffer(offer.id, { refuse_seconds: 60 });
          continue;
        }
        launched = true;
        driver.launchTasks(
          [offer.id],
          [
            {
              name: 'hello',
              task_id: { value: 'hello-1' },
              slave_id: offer.slave_id,
              resources: [
                { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
                { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
              ],
              command: { value: 'echo hello', shell: true },
            },
          ],
        );
      }
    };
    await waitFor(
      () => scheduler.count('registered') === 1,
      10_000,
      'registered',
    );
    expect(driver.status).toBe(DriverStatus.RUNNING);
    expect(driver.frameworkId).toMatch(/./);
    await waitFor(
      () => scheduler.statuses.some((s) => s.state === 'TASK_FINISHED'),
      15_000,
      'TASK_FINISHED',
    );
    const finished = scheduler.statuses.find(
      (s) => s.state === 'TASK_FINISHED',
    )!;
    expect(finished.uuid?.length).toBe(16);
    expect(driver.stop()).toBe(DriverStatus.STOPPED);
    expect(await driver.join()).toBe(DriverStatus.STOPPED);
    await waitFor(
      () =>
        (
          sim.process.state().completed_frameworks as Array<{ id: string }>
        ).some((fw) => fw.id === driver.frameworkId),
      10_000,
      'the framework to be removed',
    );
  });
});
