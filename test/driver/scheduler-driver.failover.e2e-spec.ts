import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestMicroservice } from '@nestjs/common';

import {
  DriverStatus,
  MesosMessage,
  type Offer,
  type SchedulerDriver,
} from '../../lib/mesos/index.js';
import {
  MesosSimulator,
  type MesosSimulatorOptions,
} from '../../lib/mesos/testing/index.js';
import { waitFor } from '../support/wait-for.js';
import {
  type RecordingScheduler,
  startDriverApp,
} from './support/driver-harness.js';

type Closable = Pick<INestMicroservice, 'close'>;

/** Launches one `command` task on the first offer, declines the rest. */
function launchOnce(
  driver: SchedulerDriver,
  scheduler: RecordingScheduler,
  command: string,
  taskId = 'task-a',
): void {
  let launched = false;
  scheduler.on.resourceOffers = (offers: Offer[]) => {
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
            name: taskId,
            task_id: { value: taskId },
            slave_id: offer.slave_id,
            resources: [
              { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
              { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
            ],
            command: { value: command, shell: true },
          },
        ],
      );
    }
  };
}

describe('SchedulerDriver: detection, authentication and failover against the simulator', () => {
  const closables: Closable[] = [];

  afterEach(async () => {
    for (const item of closables.splice(0).reverse()) await item.close();
  });

  async function simulator(options: MesosSimulatorOptions = {}) {
    const sim = await MesosSimulator.start({ logger: false, ...options });
    closables.push(sim);
    return sim;
  }

  async function driverApp(
    options: Parameters<typeof startDriverApp>[0],
  ): Promise<Awaited<ReturnType<typeof startDriverApp>>> {
    const started = await startDriverApp(options);
    closables.push(started.app);
    return started;
  }

  it("follows a non-leading master's 307 to the leader and subscribes there", async () => {
    const leader = await simulator();
    const standby = await simulator({
      leading: false,
      leader: leader.address,
      agents: 0,
    });
    const { scheduler } = await driverApp({ master: standby.address });

    await waitFor(
      () => scheduler.count('registered') === 1,
      15_000,
      'registered',
    );
    const [, masterInfo] = scheduler.events.find(
      (e) => e.name === 'registered',
    )!.args as [unknown, { pid: string }];
    expect(masterInfo.pid).toBe(leader.master.toString());
    expect(
      leader.calls.filter(({ call }) => call.type === 'SUBSCRIBE').length,
    ).toBeGreaterThanOrEqual(1);
    expect(
      standby.calls.filter(({ call }) => call.type === 'SUBSCRIBE'),
    ).toHaveLength(0);
  });

  it('authenticates with CRAM-MD5 (secret or secretFile) before subscribing; the principal goes into FrameworkInfo', async () => {
    const sim = await simulator({
      credentials: [{ principal: 'fw', secret: 's3cret' }],
      authenticateFrameworks: true,
    });
    const dir = mkdtempSync(join(tmpdir(), 'driver-secret-'));
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, 's3cret\n');
    for (const credential of [
      { principal: 'fw', secret: 's3cret' },
      { principal: 'fw', secretFile },
    ]) {
      const { scheduler, driver } = await driverApp({
        master: sim.address,
        credential,
      });
      await waitFor(
        () => scheduler.count('registered') === 1,
        15_000,
        'registered',
      );
      expect(driver.status).toBe(DriverStatus.RUNNING);
      const subscribe = sim.calls
        .filter(({ call }) => call.type === 'SUBSCRIBE')
        .pop()!.call;
      expect(subscribe.subscribe?.framework_info.principal).toBe('fw');
    }
  });

  it('surfaces a refused authentication as error and aborts', async () => {
    const sim = await simulator({
      credentials: [{ principal: 'fw', secret: 's3cret' }],
      authenticateFrameworks: true,
    });
    const { scheduler, driver } = await driverApp({
      master: sim.address,
      credential: { principal: 'fw', secret: 'wrong' },
    });

    expect(await driver.join()).toBe(DriverStatus.ABORTED);
    expect(scheduler.errors).toHaveLength(1);
    expect(scheduler.errors[0]).toMatch(
      /refused authentication of principal 'fw'/,
    );
    expect(
      sim.calls.filter(({ call }) => call.type === 'SUBSCRIBE'),
    ).toHaveLength(0);
  });

  it('retries an authentication the master answers with an error (no authenticator loaded), never aborting, until a master can authenticate it', async () => {
    // A master without credentials answers every attempt with AuthenticationErrorMessage.
    const first = await simulator({ agents: 0 });
    const { scheduler, driver } = await driverApp({
      master: first.address,
      credential: { principal: 'fw', secret: 's3cret' },
    });
    await waitFor(
      () => first.logged('authenticator is not loaded').length >= 2,
      15_000,
      'a second attempt after the first error',
    );
    // As sched.cpp: an error is retried, not reported (only a refusal is fatal).
    expect(scheduler.errors).toEqual([]);
    expect(driver.status).toBe(DriverStatus.RUNNING);
    expect(first.calls).toHaveLength(0); // never subscribed unauthenticated

    // The same address again, now with the principal's credential.
    const port = first.master.port;
    await first.close();
    const second = await simulator({
      port,
      credentials: [{ principal: 'fw', secret: 's3cret' }],
      authenticateFrameworks: true,
    });
    await waitFor(
      () => scheduler.count('registered') === 1,
      30_000,
      'registered once the master can authenticate',
    );
    expect(scheduler.errors).toEqual([]);
    expect(second.logged('Successfully authenticated').length).toBe(1);
    const subscribe = second.calls.find(
      ({ call }) => call.type === 'SUBSCRIBE',
    )!.call;
    expect(subscribe.subscribe?.framework_info.principal).toBe('fw');
  }, 60_000);

  it("surfaces the master's text when it refuses an unauthenticated framework", async () => {
    const sim = await simulator({
      credentials: [{ principal: 'fw', secret: 's3cret' }],
      authenticateFrameworks: true,
    });
    const { scheduler, driver } = await driverApp({ master: sim.address });

    expect(await driver.join()).toBe(DriverStatus.ABORTED);
    expect(scheduler.errors[0]).toMatch(/is not authenticated/);
  });

  it('keeps retrying past failover_timeout while the master is down, and re-subscribes when it is back', async () => {
    const sim = await simulator();
    const { scheduler, driver } = await driverApp({
      master: sim.address,
      framework: { name: 'failover-timeout', failover_timeout: 1 },
    });
    await waitFor(() => driver.connected, 15_000, 'registered');
    const frameworkId = driver.frameworkId;

    // Down for three failover timeouts: libmesos' driver does not give up, neither does ours.
    await sim.failover({ downtimeMs: 3000 });

    await waitFor(() => driver.connected, 20_000, 're-registered');
    expect(scheduler.errors).toEqual([]);
    expect(driver.status).toBe(DriverStatus.RUNNING);
    expect(scheduler.count('disconnected')).toBe(1);
    expect(driver.frameworkId).toBe(frameworkId);
    const subscribe = sim.calls.find(
      ({ call }) => call.type === 'SUBSCRIBE',
    )!.call;
    expect(subscribe.framework_id?.value).toBe(frameworkId);
  });

  it('gives up only with failoverDeadlineMs: error and ABORTED when no master answers in time', async () => {
    const { scheduler, driver } = await driverApp({
      master: '127.0.0.1:1',
      failoverDeadlineMs: 1500,
    });

    expect(await driver.join()).toBe(DriverStatus.ABORTED);
    expect(scheduler.errors[0]).toMatch(
      /Not registered with a master within 1500 ms/,
    );
  });

  it('retries a reconciliation the failed-over master leaves unanswered until every task is answered', async () => {
    const sim = await simulator();
    const { scheduler, driver } = await driverApp({ master: sim.address });
    launchOnce(driver, scheduler, 'sleep 30');
    await waitFor(
      () => scheduler.statuses.some((s) => s.state === 'TASK_RUNNING'),
      15_000,
      'the task RUNNING',
    );
    const running = scheduler.statuses.find((s) => s.state === 'TASK_RUNNING')!;
    // Every update acknowledged at the agent: none is re-sent to the new master to answer for it.
    await waitFor(
      () =>
        sim.agents[0]
          .taskStates()
          .some((t) => t.taskId === 'task-a' && t.pending === 0),
      10_000,
      'the agent to have every update of task-a acknowledged',
    );

    // replicated_log: the new master knows the agent but answers nothing until it re-registers,
    // which it does here only when the test says so (not on a timer that load could outrun).
    await sim.failover({
      registry: 'replicated_log',
      agentReregisterDelayMs: 600_000,
    });
    await waitFor(
      () =>
        scheduler.count('registered') + scheduler.count('reregistered') === 2,
      15_000,
      're-registered',
    );
    const answering = driver.reconcile([
      { task_id: running.task_id, slave_id: running.slave_id },
    ]);
    await waitFor(
      () => sim.logged('Dropping reconciliation of task task-a').length === 1,
      10_000,
      'the first reconciliation dropped',
    );
    await sim.reconnectAgent(0);
    const answers = await answering;

    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      task_id: { value: 'task-a' },
      state: 'TASK_RUNNING',
    });
    const reconciles = sim.calls.filter(
      ({ call }) => call.type === 'RECONCILE',
    );
    expect(reconciles.length).toBeGreaterThanOrEqual(2);
  });

  it('acknowledges an update exactly when it carries a uuid (master-generated ones have none)', async () => {
    const sim = await simulator();
    const { scheduler, driver } = await driverApp({ master: sim.address });
    await waitFor(() => driver.connected, 15_000, 'registered');
    const frameworkId = driver.frameworkId!;
    const pid = sim.state().frameworks as Array<{ id: string; pid: string }>;
    const to = pid.find((fw) => fw.id === frameworkId)!.pid;
    const update = (taskId: string, uuid?: Buffer, agentPid?: string) => ({
      update: {
        framework_id: { value: frameworkId },
        slave_id: { value: 'injected-S0' },
        status: {
          task_id: { value: taskId },
          state: 'TASK_RUNNING',
          ...(uuid && { uuid }),
        },
        timestamp: Date.now() / 1000,
        ...(uuid && { uuid }),
      },
      ...(agentPid && { pid: agentPid }),
    });
    sim.sendAsMaster(
      to,
      MesosMessage.StatusUpdate,
      update('no-uuid', undefined, 'slave(1)@127.0.0.1:1'),
    );
    sim.sendAsMaster(
      to,
      MesosMessage.StatusUpdate,
      update('uuid-no-pid', Buffer.alloc(16, 0xaa)),
    );
    sim.sendAsMaster(
      to,
      MesosMessage.StatusUpdate,
      update('uuid-and-pid', Buffer.alloc(16, 0xbb), 'slave(1)@127.0.0.1:1'),
    );
    await waitFor(
      () => scheduler.statuses.length === 3,
      10_000,
      'three updates',
    );
    const acked = () =>
      sim.calls
        .filter(({ call }) => call.type === 'ACKNOWLEDGE')
        .map(({ call }) => call.acknowledge!.task_id.value);
    await waitFor(() => acked().length === 2, 10_000, 'two acknowledgements');

    expect(acked().sort()).toEqual(['uuid-and-pid', 'uuid-no-pid']);
    // The callback sees a uuid only when there is an agent to acknowledge to (sched.cpp).
    expect(scheduler.statuses.map((s) => s.uuid?.length ?? 0)).toEqual([
      0, 0, 16,
    ]);
  });
});
