import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { HaUnderTest } from '../support/ha-under-test.js';
import { allTasks } from '../support/master-state.js';
import {
  firstAgentId,
  frameworkById,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { pollUntil } from '../support/process-watch.js';
import {
  driverRuns,
  launchOnNextOffer,
  observed,
  statusesOf,
  task,
  waitForState,
} from './driver-run.js';

/** The leading master as its own `/master/state` names it. */
async function masterIdentity(
  target: MesosUnderTest,
): Promise<{ id: string; pid: string; leader: string }> {
  return target.masterJson<{ id: string; pid: string; leader: string }>(
    '/master/state',
  );
}

/** A task that runs until the file `gate` exists: it ends when the test says so, not on a timer. */
function gatedCommand(gate: string): string {
  return `while [ ! -e '${gate}' ]; do sleep 0.1; done`;
}

/**
 * The scheduler driver against masters in HA (`target()`): a non-leader's address, and a
 * `zk://` URL through a failover of the leader. The same scenarios and expected observations
 * on real masters and on the simulator. They run in this order: the second kills the leader.
 */
export function registerHaScenarios(target: () => HaUnderTest): void {
  const runs = driverRuns();
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nestjs-libprocess-mesos-ha-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('given host:port of a non-leading master, the driver follows its 307 and registers with the leader', async () => {
    const ha = target();
    const run = await runs.start(ha.standbyAddr, ha.leader, 'ha-redirect');

    const leader = await masterIdentity(ha.leader);
    expect(run.driver.master).toMatchObject({
      id: leader.id,
      pid: leader.pid,
    });
    expect(
      (await frameworkById(ha.leader, run.driver.frameworkId!))?.completed,
    ).toBe(false);
    await runs.tearDown(run, ha.leader);
  }, 60_000);

  it('given zk://, the driver follows a leader failover: re-subscribes with its framework id, its running tasks reconciled, none counted twice', async () => {
    const ha = target();
    const run = await runs.start(ha.zkUrl, ha.leader, 'ha-failover');
    const first = await masterIdentity(ha.leader);
    expect(run.driver.master?.id).toBe(first.id);
    const frameworkId = run.driver.frameworkId!;
    const agentId = await firstAgentId(ha.leader);
    const gate = join(scratch, 'failover.go');
    const ids = ['ha-1', 'ha-2'];
    launchOnNextOffer(
      run,
      ids.map((id) => task(id, agentId, gatedCommand(gate))),
    );
    for (const id of ids) await waitForState(run, id, 'TASK_RUNNING');

    const next = await ha.failLeader();

    // The driver notices by itself (ZooKeeper), finds the next leader and re-subscribes with
    // its framework id. A new master answers a pid framework it recovers with
    // FrameworkRegisteredMessage, not Reregistered ("per the API contract", master.cpp).
    await pollUntil(
      () => run.scheduler.count('registered') === 2 && run.driver.connected,
      60_000,
      `the driver to register with the next leader on ${ha.label}`,
    );
    const second = await masterIdentity(next);
    expect(second.leader).toBe(second.pid);
    expect(second.id).not.toBe(first.id);
    expect({
      master: run.driver.master?.id,
      frameworkId: run.driver.frameworkId,
      reregistered: run.scheduler.count('reregistered'),
      disconnected: run.scheduler.count('disconnected'),
      errors: run.scheduler.errors,
    }).toEqual({
      master: second.id,
      frameworkId,
      reregistered: 0,
      disconnected: 1,
      errors: [],
    });

    // The agent re-registers with the new leader and reports the tasks: reconciled as running.
    await pollUntil(
      async () =>
        (await frameworkById(next, frameworkId))?.framework.tasks.filter(
          (t) => t.state === 'TASK_RUNNING',
        ).length === ids.length,
      60_000,
      `the new leader to know ${ids.join(', ')} as running`,
    );
    const answers = await run.driver.reconcile(
      ids.map((id) => ({
        task_id: { value: id },
        slave_id: { value: agentId },
      })),
    );
    expect(
      answers
        .map((s) => ({ task: s.task_id.value, ...observed(s) }))
        .sort((a, b) => a.task.localeCompare(b.task)),
    ).toEqual(
      ids.map((id) => ({
        task: id,
        state: 'TASK_RUNNING',
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Latest task state',
        acknowledgeable: false,
      })),
    );

    // The tasks end: each finishes once, none relaunched, completed on the new leader.
    writeFileSync(gate, '');
    for (const id of ids) await waitForState(run, id, 'TASK_FINISHED');
    await pollUntil(
      async () =>
        (await frameworkById(next, frameworkId))?.framework.completed_tasks
          .length === ids.length,
      20_000,
      `${ids.join(', ')} to be completed on the new leader`,
    );
    const { framework } = (await frameworkById(next, frameworkId))!;
    expect(
      allTasks(framework)
        .map((t) => [t.id, t.state])
        .sort(),
    ).toEqual(ids.map((id) => [id, 'TASK_FINISHED']));
    expect(
      ids.map(
        (id) =>
          statusesOf(run.scheduler, id).filter(
            (s) => s.state === 'TASK_FINISHED',
          ).length,
      ),
    ).toEqual(ids.map(() => 1));
    await runs.tearDown(run, next);
  }, 120_000);
}
