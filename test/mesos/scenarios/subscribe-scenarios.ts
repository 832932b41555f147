import { expect, it } from '@jest/globals';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverStatus } from '../../../lib/mesos/index.js';
import type { FrameworkInfo } from '../../../lib/mesos/index.js';
import {
  frameworkById,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { pollUntil } from '../support/process-watch.js';
import { type DriverRun, driverRuns } from './driver-run.js';

/**
 * How long a suppressed framework must see no offer: ten allocation intervals of the test
 * clusters (100 ms), where an unsuppressed one gets its first offer within one.
 */
const QUIET_MS = 1000;

/** Master::subscribe's refusal of a suppressed role the framework does not have. */
const NOT_A_ROLE =
  'Suppressed roles { other } are not contained in the set of roles';

/**
 * What Master::subscribe takes from SUBSCRIBE on `target()`. Its `suppressed_roles` (libmesos'
 * `suppressedRoles` argument, the driver's `suppressedRoles` option) go to the allocator with the
 * framework, on the first subscription and on a failover, after a check against the framework's
 * roles (`validateSuppressedRoles`, also for UPDATE_FRAMEWORK). A re-subscription cannot change
 * the framework's user, checkpoint or principal (`preserveImmutableFields`, `validateUpdate`).
 */
export function registerSubscribeScenarios(target: () => MesosUnderTest): void {
  const runs = driverRuns();
  const offersOf = (run: DriverRun) => () =>
    run.scheduler.count('resourceOffers');

  /** No offer for QUIET_MS, then one once REVIVE cleared the suppression. */
  async function suppressedUntilRevive(run: DriverRun, what: string) {
    const offers = offersOf(run);
    await sleep(QUIET_MS);
    expect({ what, offers: offers() }).toEqual({ what, offers: 0 });
    run.driver.reviveOffers();
    await pollUntil(() => offers() > 0, 15_000, `an offer after ${what}`);
  }

  /** The master's FrameworkErrorMessage: the `error` callback, the driver aborted. */
  async function refusal(run: DriverRun) {
    await pollUntil(
      () => run.scheduler.errors.length > 0,
      10_000,
      'the master to refuse',
    );
    expect(await run.driver.join()).toBe(DriverStatus.ABORTED);
  }

  it('a framework that subscribes with its role suppressed gets no offers until REVIVE, also when a new scheduler fails it over with the role suppressed', async () => {
    const first = await runs.start(
      target().masterAddr,
      target(),
      'suppressed',
      {
        suppressedRoles: ['*'],
      },
    );
    await suppressedUntilRevive(first, 'REVIVE (first SUBSCRIBE)');

    // Failover (SUBSCRIBE with the framework id and force): the new set replaces the old one.
    const id = first.driver.frameworkId!;
    const { framework } = (await frameworkById(target(), id))!;
    await runs.close(first);
    const second = await runs.start(
      target().masterAddr,
      target(),
      'suppressed-failover',
      {
        framework: {
          name: framework.name,
          id: { value: id },
          failover_timeout: 60,
        },
        suppressedRoles: ['*'],
      },
    );
    expect(second.driver.frameworkId).toBe(id);
    await suppressedUntilRevive(second, 'REVIVE (failover SUBSCRIBE)');
    await runs.tearDown(second, target());
  }, 60_000);

  it('a suppressed role that is not one of the framework roles: SUBSCRIBE refused, UPDATE_FRAMEWORK refused', async () => {
    // failover_timeout 0: the refused frameworks leave the shared master once their apps close.
    const framework = (name: string) => ({ name, failover_timeout: 0 });
    const refused = await runs.launch(target().masterAddr, 'bad-suppressed', {
      framework: framework('mesos-suite-bad-suppressed'),
      suppressedRoles: ['other'],
    });
    await refusal(refused);
    expect(refused.scheduler.errors).toEqual([NOT_A_ROLE]);
    expect(refused.scheduler.count('registered')).toBe(0);

    const updated = await runs.start(
      target().masterAddr,
      target(),
      'bad-update',
      { framework: framework('mesos-suite-bad-update') },
    );
    const id = updated.driver.frameworkId!;
    const info = (await frameworkById(target(), id))!.framework;
    updated.driver.updateFramework(
      {
        id: { value: id },
        name: info.name,
        failover_timeout: 0,
      } as FrameworkInfo,
      ['other'],
    );
    await refusal(updated);
    expect(updated.scheduler.errors).toEqual([
      `'UpdateFramework' call is not valid: ${NOT_A_ROLE}`,
    ]);
  }, 60_000);

  it('a failover SUBSCRIBE cannot change the framework: a new user or checkpoint is kept as it was, a new principal refused', async () => {
    const name = 'mesos-suite-immutable';
    const first = await runs.start(target().masterAddr, target(), 'immutable', {
      framework: { name, principal: 'first', failover_timeout: 60 },
    });
    const id = first.driver.frameworkId!;
    await runs.close(first);
    const failover = (label: string, changes: object) =>
      runs.launch(target().masterAddr, label, {
        framework: {
          name,
          id: { value: id },
          failover_timeout: 60,
          ...changes,
        },
      });

    const refused = await failover('immutable-principal', {
      principal: 'second',
    });
    await refusal(refused);
    expect(refused.scheduler.errors).toEqual([
      "Changing framework's principal is not allowed.",
    ]);

    const kept = await failover('immutable-user', {
      principal: 'first',
      user: 'someone-else',
      checkpoint: true,
    });
    await pollUntil(
      () => kept.scheduler.count('registered') === 1,
      30_000,
      `the failover to register with ${target().label}`,
    );
    const { framework } = (await frameworkById(target(), id))!;
    expect({
      user: framework.user,
      checkpoint: framework.checkpoint,
      principal: framework.principal,
    }).toEqual({
      user: userInfo().username,
      checkpoint: false,
      principal: 'first',
    });
    await runs.tearDown(kept, target());
  }, 60_000);

  it('a disconnected framework with a 30-day failover_timeout waits for its scheduler (longer than a setTimeout can wait)', async () => {
    const failoverTimeout = 30 * 24 * 3600;
    const framework = {
      name: 'mesos-suite-long-failover',
      failover_timeout: failoverTimeout,
    };
    const first = await runs.start(target().masterAddr, target(), 'long', {
      framework,
    });
    const id = first.driver.frameworkId!;
    await runs.close(first);
    await pollUntil(
      async () =>
        (await frameworkById(target(), id))?.framework.connected === false,
      10_000,
      'the master to see the scheduler gone',
    );
    // A timer that overflowed would have removed it within a millisecond.
    await sleep(300);
    expect(await frameworkById(target(), id)).toMatchObject({
      completed: false,
      framework: { active: false, failover_timeout: failoverTimeout },
    });

    const second = await runs.start(
      target().masterAddr,
      target(),
      'long-back',
      {
        framework: { ...framework, id: { value: id } },
      },
    );
    expect(second.driver.frameworkId).toBe(id);
    await runs.tearDown(second, target());
  }, 60_000);
}
