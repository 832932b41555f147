import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';

import {
  DriverStatus,
  MesosMessage,
  type FrameworkInfo,
  type InverseOffer,
  type Offer,
  type OfferID,
} from '../../lib/mesos/index.js';
import {
  MesosSimulator,
  type ReceivedCall,
} from '../../lib/mesos/testing/index.js';
import { waitFor } from '../support/wait-for.js';
import {
  type RecordingScheduler,
  startDriverApp,
} from './support/driver-harness.js';

type Closable = Pick<INestMicroservice, 'close'>;

/**
 * The driver's calls that the sample does not use, end to end against the simulator in this
 * process: what the scheduler calls must arrive at the master as the Call libmesos sends, and
 * what the master sends must reach the callbacks.
 */
describe('SchedulerDriver calls against the simulator: inverse offers, updateFramework, requestResources', () => {
  const closables: Closable[] = [];

  afterEach(async () => {
    for (const item of closables.splice(0).reverse()) await item.close();
  });

  /** A simulator and a registered driver that declines every regular offer for a minute. */
  async function registered(
    framework?: Parameters<typeof startDriverApp>[0]['framework'],
  ) {
    const sim = await MesosSimulator.start({ logger: false });
    closables.push(sim);
    const started = await startDriverApp({ master: sim.address, framework });
    closables.push(started.app);
    const { driver, scheduler } = started;
    scheduler.on.resourceOffers = (offers: Offer[]) => {
      for (const offer of offers)
        driver.declineOffer(offer.id, { refuse_seconds: 60 });
    };
    await waitFor(() => driver.connected, 15_000, 'registered');
    return { sim, ...started, frameworkId: driver.frameworkId! };
  }

  function callOf(sim: MesosSimulator, type: string): ReceivedCall[] {
    return sim.calls.filter(({ call }) => call.type === type);
  }

  function argsOf<T>(scheduler: RecordingScheduler, name: string): T[] {
    return scheduler.events
      .filter((event) => event.name === name)
      .map((event) => event.args[0] as T);
  }

  it('inverse offers reach inverseOffers (agent, unavailability); accepting and declining them reaches the master; a rescind reaches inverseOfferRescinded', async () => {
    const { sim, driver, scheduler, frameworkId } = await registered();
    const agentId = sim.agents[0].settings.agentId;
    const framework = () =>
      sim.masterProcess.master.frameworks.get(frameworkId)!;

    const first = sim.sendInverseOffer(frameworkId, {
      startMs: 1_700_000_000_000,
      durationMs: 3_600_000,
    });
    await waitFor(
      () => scheduler.count('inverseOffers') === 1,
      10_000,
      'the inverse offer',
    );
    const [offer] = argsOf<InverseOffer[]>(scheduler, 'inverseOffers')[0];
    expect(offer).toMatchObject({
      id: { value: first },
      framework_id: { value: frameworkId },
      slave_id: { value: agentId },
      url: { scheme: 'http', path: `/${sim.agents[0].pid.id}` },
      unavailability: {
        start: { nanoseconds: '1700000000000000000' },
        duration: { nanoseconds: '3600000000000' },
      },
    });

    expect(driver.acceptInverseOffers([offer.id], { refuse_seconds: 30 })).toBe(
      DriverStatus.RUNNING,
    );
    await waitFor(
      () => callOf(sim, 'ACCEPT_INVERSE_OFFERS').length === 1,
      10_000,
      'ACCEPT_INVERSE_OFFERS',
    );
    expect(
      callOf(sim, 'ACCEPT_INVERSE_OFFERS')[0].call.accept_inverse_offers,
    ).toEqual({
      inverse_offer_ids: [{ value: first }],
      filters: { refuse_seconds: 30 },
    });
    expect(framework().inverseOffers.has(first)).toBe(false);

    const second = sim.sendInverseOffer(frameworkId);
    await waitFor(() => scheduler.count('inverseOffers') === 2, 10_000);
    driver.declineInverseOffers([{ value: second }]);
    await waitFor(
      () => callOf(sim, 'DECLINE_INVERSE_OFFERS').length === 1,
      10_000,
      'DECLINE_INVERSE_OFFERS',
    );
    expect(
      callOf(sim, 'DECLINE_INVERSE_OFFERS')[0].call.decline_inverse_offers
        ?.inverse_offer_ids,
    ).toEqual([{ value: second }]);
    expect(framework().inverseOffers.size).toBe(0);

    // The master takes an inverse offer back (its offer timeout, maintenance cancelled).
    const third = sim.sendInverseOffer(frameworkId);
    await waitFor(() => scheduler.count('inverseOffers') === 3, 10_000);
    sim.sendAsMaster(framework().pid!, MesosMessage.RescindInverseOffer, {
      inverse_offer_id: { value: third },
    });
    await waitFor(
      () => scheduler.count('inverseOfferRescinded') === 1,
      10_000,
      'inverseOfferRescinded',
    );
    expect(argsOf<OfferID>(scheduler, 'inverseOfferRescinded')).toEqual([
      { value: third },
    ]);
    expect(scheduler.errors).toEqual([]);
  });

  it('updateFramework replaces the FrameworkInfo and the suppressed roles at the master; while disconnected it goes with the next registration', async () => {
    const { sim, driver, scheduler, frameworkId } = await registered({
      name: 'before',
      failover_timeout: 60,
      webui_url: 'http://before.example',
    });
    const user = callOf(sim, 'SUBSCRIBE')[0].call.subscribe!.framework_info
      .user;
    const framework = () =>
      sim.masterProcess.master.frameworks.get(frameworkId)!;

    expect(
      driver.updateFramework(
        {
          id: { value: frameworkId },
          name: 'after',
          failover_timeout: 60,
        } as FrameworkInfo,
        ['*'],
      ),
    ).toBe(DriverStatus.RUNNING);
    await waitFor(
      () => callOf(sim, 'UPDATE_FRAMEWORK').length === 1,
      10_000,
      'UPDATE_FRAMEWORK',
    );
    const update = callOf(sim, 'UPDATE_FRAMEWORK')[0].call;
    expect(update.framework_id?.value).toBe(frameworkId);
    // Replaced as sched.cpp does (webui_url is gone), with user and hostname filled as at start.
    expect(update.update_framework?.framework_info).toMatchObject({
      id: { value: frameworkId },
      name: 'after',
      user,
      hostname: hostname(),
    });
    expect(update.update_framework?.framework_info.webui_url).toBeUndefined();
    expect(update.update_framework?.suppressed_roles).toEqual(['*']);
    // The master took it: new name, and no more offers for a framework whose roles are suppressed.
    await waitFor(
      () => framework().info.name === 'after' && framework().suppressed,
      10_000,
      'the master to apply the update',
    );
    expect(
      (sim.state().frameworks as Array<{ id: string; name: string }>).find(
        (fw) => fw.id === frameworkId,
      )?.name,
    ).toBe('after');

    // Called while disconnected: SUBSCRIBE carries it, and UPDATE_FRAMEWORK follows the registration.
    scheduler.on.disconnected = () =>
      driver.updateFramework(
        {
          id: { value: frameworkId },
          name: 'while-away',
          failover_timeout: 60,
        } as FrameworkInfo,
        [],
      );
    await sim.failover();
    await waitFor(
      () =>
        scheduler.count('reregistered') + scheduler.count('registered') === 2,
      20_000,
      're-registered',
    );
    await waitFor(
      () => callOf(sim, 'UPDATE_FRAMEWORK').length === 1,
      10_000,
      'UPDATE_FRAMEWORK after the registration',
    );
    const [subscribe] = callOf(sim, 'SUBSCRIBE');
    expect(subscribe.call.subscribe?.framework_info.name).toBe('while-away');
    expect(
      callOf(sim, 'UPDATE_FRAMEWORK')[0].call.update_framework,
    ).toMatchObject({
      framework_info: { name: 'while-away' },
      suppressed_roles: [],
    });
    expect(framework().suppressed).toBe(false);
    expect(scheduler.errors).toEqual([]);
  });

  it("a refused update (a changed user) is the master's FrameworkErrorMessage: error callback, driver aborted", async () => {
    const { sim, driver, scheduler, frameworkId } = await registered();
    const user = callOf(sim, 'SUBSCRIBE')[0].call.subscribe!.framework_info
      .user;

    driver.updateFramework({
      id: { value: frameworkId },
      name: 'driver-e2e',
      user: 'someone-else',
    } as FrameworkInfo);

    expect(await driver.join()).toBe(DriverStatus.ABORTED);
    expect(scheduler.errors).toEqual([
      `FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${user}' to 'someone-else'`,
    ]);
  });

  it('requestResources sends a REQUEST call with the requests to the master', async () => {
    const { sim, driver, scheduler } = await registered();
    const agentId = sim.agents[0].settings.agentId;
    const requests = [
      {
        slave_id: { value: agentId },
        resources: [
          { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 2 } },
        ],
      },
      {
        resources: [
          { name: 'mem', type: 'SCALAR' as const, scalar: { value: 512 } },
        ],
      },
    ];

    expect(driver.requestResources(requests)).toBe(DriverStatus.RUNNING);

    await waitFor(
      () => callOf(sim, 'REQUEST').length === 1,
      10_000,
      'the REQUEST call',
    );
    const call = callOf(sim, 'REQUEST')[0].call;
    expect(call.framework_id?.value).toBe(driver.frameworkId);
    expect(call.request?.requests).toMatchObject(requests);
    expect(sim.logged('Processing REQUEST call')).toHaveLength(1);
    expect(scheduler.errors).toEqual([]);
  });
});
