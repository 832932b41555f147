import { expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DriverStatus,
  isTerminalState,
  type Offer,
  type TaskInfo,
} from '../../../lib/mesos/index.js';
import {
  firstAgentId,
  frameworkById,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { masterMetrics } from '../support/master-state.js';
import { pollUntil } from '../support/process-watch.js';
import {
  acceptNextOffer,
  driverRuns,
  launchOnNextOffer,
  observed,
  onOffers,
  statusesOf,
  task,
  waitForState,
} from './driver-run.js';

/**
 * The scheduler driver (`nestjs-libprocess/mesos`) in this process against `target()`: the
 * same scenarios and the same expected observations on the real master and on the simulator.
 * Each scenario registers a framework of its own (unique name) and tears it down.
 */
export function registerDriverScenarios(target: () => MesosUnderTest): void {
  const runs = driverRuns();
  const startDriver = (
    name: string,
    options?: Parameters<typeof runs.start>[3],
  ) => runs.start(target().masterAddr, target(), name, options);
  const tearDown = (run: Parameters<typeof runs.tearDown>[0]) =>
    runs.tearDown(run, target());

  it('accept LAUNCH: a command task runs to TASK_FINISHED; implicit acknowledgements complete it on the master', async () => {
    const run = await startDriver('launch');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('launch-1', agentId, 'true')]);

    await waitForState(run, 'launch-1', 'TASK_FINISHED');

    expect(statusesOf(run.scheduler, 'launch-1').map(observed)).toEqual([
      {
        state: 'TASK_STARTING',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: undefined,
        acknowledgeable: true,
      },
      {
        state: 'TASK_RUNNING',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: undefined,
        acknowledgeable: true,
      },
      {
        state: 'TASK_FINISHED',
        source: 'SOURCE_EXECUTOR',
        reason: undefined,
        message: 'Command exited with status 0',
        acknowledgeable: true,
      },
    ]);
    // Acknowledged: the master moved the task to the framework's completed tasks.
    await pollUntil(
      async () =>
        (
          await frameworkById(target(), run.driver.frameworkId!)
        )?.framework.completed_tasks.some((t) => t.id === 'launch-1') === true,
      10_000,
      'launch-1 to be completed on the master',
    );
    const { framework } = (await frameworkById(
      target(),
      run.driver.frameworkId!,
    ))!;
    // libmesos fills FrameworkInfo.hostname; the master shows what it got.
    expect(framework.hostname).toMatch(/./);
    await tearDown(run);
  }, 60_000);

  it('explicit acknowledgements: an unacknowledged update holds back the next one; the terminal task completes only once acknowledged', async () => {
    const run = await startDriver('explicit-ack', {
      implicitAcknowledgements: false,
    });
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('ack-1', agentId, 'true')]);

    const starting = await waitForState(run, 'ack-1', 'TASK_STARTING');
    // The agent forwards RUNNING only once STARTING is acknowledged (it re-sends STARTING
    // after 10 s): nothing more arrives meanwhile.
    await sleep(1500);
    expect(statusesOf(run.scheduler, 'ack-1').map((s) => s.state)).toEqual([
      'TASK_STARTING',
    ]);

    run.driver.acknowledgeStatusUpdate(starting);
    const running = await waitForState(run, 'ack-1', 'TASK_RUNNING');
    run.driver.acknowledgeStatusUpdate(running);
    const finished = await waitForState(run, 'ack-1', 'TASK_FINISHED');

    // Terminal but not acknowledged: still among the framework's (active) tasks.
    await sleep(500);
    let view = (await frameworkById(target(), run.driver.frameworkId!))!;
    expect(view.framework.tasks.map((t) => [t.id, t.state])).toEqual([
      ['ack-1', 'TASK_FINISHED'],
    ]);
    expect(view.framework.completed_tasks).toEqual([]);

    run.driver.acknowledgeStatusUpdate(finished);
    await pollUntil(
      async () => {
        view = (await frameworkById(target(), run.driver.frameworkId!))!;
        return view.framework.completed_tasks.some((t) => t.id === 'ack-1');
      },
      10_000,
      'ack-1 to be completed once acknowledged',
    );
    expect(view.framework.tasks).toEqual([]);
    // Each update reached us once: none re-sent after its acknowledgement.
    expect(statusesOf(run.scheduler, 'ack-1').map((s) => s.state)).toEqual([
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_FINISHED',
    ]);
    await tearDown(run);
  }, 60_000);

  it('stop() and app.close() at once after the last acknowledgement: the master processes the ACKNOWLEDGE and the TEARDOWN (fault A, driver side)', async () => {
    const run = await startDriver('stop-close', {
      implicitAcknowledgements: false,
    });
    const agentId = await firstAgentId(target());
    const acknowledgements = async () => {
      const metrics = await masterMetrics(target());
      return {
        valid: metrics['master/valid_status_update_acknowledgements'],
        invalid: metrics['master/invalid_status_update_acknowledgements'],
      };
    };
    const before = await acknowledgements();
    launchOnNextOffer(run, [task('close-1', agentId, 'true')]);
    for (const state of ['TASK_STARTING', 'TASK_RUNNING']) {
      run.driver.acknowledgeStatusUpdate(
        await waitForState(run, 'close-1', state),
      );
    }
    const finished = await waitForState(run, 'close-1', 'TASK_FINISHED');
    const id = run.driver.frameworkId!;

    // The application ends right after its last calls, as a CLI does: a master that saw the
    // connection close first would refuse both ("Framework disconnected") and keep the
    // framework, inactive, until its failover timeout.
    run.driver.acknowledgeStatusUpdate(finished);
    expect(run.driver.stop()).toBe(DriverStatus.STOPPED);
    await runs.close(run);

    await pollUntil(
      async () => (await frameworkById(target(), id))?.completed === true,
      10_000,
      `framework ${id} to be completed on ${target().label}`,
    );
    const after = await acknowledgements();
    expect({
      valid: after.valid - before.valid,
      invalid: after.invalid - before.invalid,
    }).toEqual({ valid: 3, invalid: 0 });
  }, 60_000);

  it('a failing command: TASK_FAILED from the executor with the exit status', async () => {
    const run = await startDriver('failed');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('failed-1', agentId, 'exit 7')]);

    const failed = await waitForState(run, 'failed-1', 'TASK_FAILED');

    expect(observed(failed)).toEqual({
      state: 'TASK_FAILED',
      source: 'SOURCE_EXECUTOR',
      // The command executor sets no reason for a command's own failure.
      reason: undefined,
      message: 'Command exited with status 7',
      acknowledgeable: true,
    });
    await tearDown(run);
  }, 60_000);

  it('kill, explicit reconciliation of a known and an unknown task, and a duplicate task id', async () => {
    const run = await startDriver('kill-reconcile');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(run, [task('long-1', agentId, 'sleep 300')]);
    await waitForState(run, 'long-1', 'TASK_RUNNING');

    const answers = await run.driver.reconcile([
      { task_id: { value: 'long-1' }, slave_id: { value: agentId } },
      { task_id: { value: 'never-launched' }, slave_id: { value: agentId } },
    ]);
    const byTask = Object.fromEntries(
      answers.map((s) => [s.task_id.value, observed(s)]),
    );
    expect(byTask).toEqual({
      'long-1': {
        state: 'TASK_RUNNING',
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Latest task state',
        acknowledgeable: false,
      },
      'never-launched': {
        state: 'TASK_LOST',
        source: 'SOURCE_MASTER',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Task is unknown to the agent',
        acknowledgeable: false,
      },
    });

    // The same id again, on a new offer, while the first one runs: refused by the master.
    run.driver.reviveOffers();
    launchOnNextOffer(run, [task('long-1', agentId, 'sleep 300')]);
    const error = await waitForState(run, 'long-1', 'TASK_ERROR');
    expect(observed(error)).toEqual({
      state: 'TASK_ERROR',
      source: 'SOURCE_MASTER',
      reason: 'REASON_TASK_INVALID',
      message: 'Task has duplicate ID: long-1',
      acknowledgeable: false,
    });

    run.driver.killTask({ value: 'long-1' }, { value: agentId });
    const killed = await waitForState(run, 'long-1', 'TASK_KILLED');
    expect(observed(killed)).toMatchObject({
      state: 'TASK_KILLED',
      source: 'SOURCE_EXECUTOR',
      acknowledgeable: true,
    });
    await tearDown(run);
  }, 90_000);

  it('decline with a filter, revive, suppress: offers stop and come back as asked', async () => {
    const run = await startDriver('offers');
    const offers: Offer[] = [];
    let answer: (offer: Offer) => void = () => undefined;
    onOffers(run, (offer) => {
      offers.push(offer);
      answer(offer);
    });
    const offersNow = () => offers.length;

    // Declined for an hour: the agent's resources are not offered again...
    answer = (offer) =>
      run.driver.declineOffer(offer.id, { refuse_seconds: 3600 });
    offers.forEach(answer);
    await pollUntil(() => offersNow() >= 1, 15_000, 'a first offer');
    const afterDecline = offersNow();
    await sleep(1500);
    expect(offersNow()).toBe(afterDecline);

    // ...until REVIVE clears the filter.
    answer = (offer) =>
      run.driver.declineOffer(offer.id, { refuse_seconds: 0.1 });
    run.driver.reviveOffers();
    await pollUntil(
      () => offersNow() > afterDecline,
      15_000,
      'an offer after REVIVE',
    );

    // SUPPRESS: no offers even though the filter (0.1 s) has long expired...
    run.driver.suppressOffers();
    await sleep(1000);
    const suppressed = offersNow();
    await sleep(1500);
    expect(offersNow()).toBe(suppressed);

    // ...until REVIVE.
    run.driver.reviveOffers();
    await pollUntil(
      () => offersNow() > suppressed,
      15_000,
      'an offer after REVIVE following SUPPRESS',
    );
    await tearDown(run);
  }, 60_000);

  it('LAUNCH_GROUP: what the master and agent answer for a task group (this Mesos build has no mesos-default-executor)', async () => {
    const run = await startDriver('launch-group');
    const agentId = await firstAgentId(target());
    const launchGroup = (
      ids: string[],
      executorResources: TaskInfo['resources'],
    ) =>
      acceptNextOffer(run, () => [
        {
          type: 'LAUNCH_GROUP',
          launch_group: {
            executor: {
              type: 'DEFAULT',
              executor_id: { value: `executor-${ids[0]}` },
              framework_id: { value: run.driver.frameworkId! },
              resources: executorResources,
            },
            task_group: { tasks: ids.map((id) => task(id, agentId, 'true')) },
          },
        },
      ]);
    const terminal = (id: string) =>
      pollUntil(
        () =>
          statusesOf(run.scheduler, id).some((s) => isTerminalState(s.state)),
        30_000,
        `${id} to end`,
      );

    // An executor without disk: refused by the master's task group validation.
    launchGroup(['nodisk-1', 'nodisk-2'], task('x', agentId, 'true').resources);
    for (const id of ['nodisk-1', 'nodisk-2']) await terminal(id);

    // A valid group: what the agent answers.
    run.driver.reviveOffers();
    launchGroup(['group-1', 'group-2'], [
      ...(task('x', agentId, 'true').resources ?? []),
      { name: 'disk', type: 'SCALAR', scalar: { value: 32 } },
    ] as TaskInfo['resources']);
    for (const id of ['group-1', 'group-2']) await terminal(id);

    const refused = {
      state: 'TASK_ERROR',
      source: 'SOURCE_MASTER',
      reason: 'REASON_TASK_GROUP_INVALID',
      message: "Executor 'executor-nodisk-1' uses no disk",
      acknowledgeable: false,
    };
    // The agent starts the executor's container, `mesos-default-executor` is not there, the
    // container exits with status 1: each task fails, reported (and acknowledged) by the agent.
    const failed = {
      state: 'TASK_FAILED',
      source: 'SOURCE_SLAVE',
      reason: 'REASON_EXECUTOR_TERMINATED',
      message: 'Executor terminated',
      acknowledgeable: true,
    };
    expect(
      ['nodisk-1', 'nodisk-2', 'group-1', 'group-2'].map((id) =>
        statusesOf(run.scheduler, id).map(observed),
      ),
    ).toEqual([[refused], [refused], [failed], [failed]]);
    // The executor's exit reaches the scheduler (ExitedExecutorMessage, relayed by the master).
    await pollUntil(
      () => run.scheduler.count('executorLost') === 1,
      10_000,
      'executorLost',
    );
    const [executorId, agent, status] = run.scheduler.events.find(
      (e) => e.name === 'executorLost',
    )!.args as [{ value: string }, { value: string }, number];
    expect([executorId.value, agent.value, status]).toEqual([
      'executor-group-1',
      agentId,
      256,
    ]);
    await tearDown(run);
  }, 90_000);

  it('framework messages: straight to the agent from the scheduler that launched there, through the master from a failed-over one; the command executor ignores them', async () => {
    const first = await startDriver('messages');
    const agentId = await firstAgentId(target());
    launchOnNextOffer(first, [task('message-1', agentId, 'sleep 300')]);
    await waitForState(first, 'message-1', 'TASK_RUNNING');
    const frameworkId = first.driver.frameworkId!;
    const counters = async () => {
      const [master, agent] = await Promise.all([
        masterMetrics(target()),
        target().agentJson<Record<string, number>>('/metrics/snapshot'),
      ]);
      return {
        masterReceived: master['master/messages_framework_to_executor'],
        masterForwarded: master['master/valid_framework_to_executor_messages'],
        masterInvalid: master['master/invalid_framework_to_executor_messages'],
        agentDelivered: agent['slave/valid_framework_messages'],
        agentDropped: agent['slave/invalid_framework_messages'],
      };
    };
    const before = await counters();
    const delta = async () => {
      const now = await counters();
      return Object.fromEntries(
        Object.entries(now).map(([k, v]) => [
          k,
          v - before[k as keyof typeof now],
        ]),
      ) as typeof now;
    };

    // The driver that launched on the agent knows its pid and sends there, as libmesos does:
    // the master sees nothing; the agent delivers to a running executor, drops the rest.
    first.driver.sendFrameworkMessage(
      { value: 'message-1' },
      { value: agentId },
      'straight',
    );
    first.driver.sendFrameworkMessage(
      { value: 'no-such-executor' },
      { value: agentId },
      'lost',
    );
    await pollUntil(
      async () => {
        const d = await delta();
        return d.agentDelivered + d.agentDropped === 2;
      },
      10_000,
      'the agent to count both messages',
    );
    expect(await delta()).toEqual({
      masterReceived: 0,
      masterForwarded: 0,
      masterInvalid: 0,
      agentDelivered: 1,
      agentDropped: 1,
    });

    // A failed-over scheduler (same framework id) has launched nothing: it knows no agent pid
    // and sends a MESSAGE call, which the master forwards to the agent.
    const { framework } = (await frameworkById(target(), frameworkId))!;
    await runs.close(first);
    const second = await startDriver('messages-failover', {
      framework: {
        name: framework.name,
        id: { value: frameworkId },
        failover_timeout: 60,
      },
    });
    second.driver.sendFrameworkMessage(
      { value: 'message-1' },
      { value: agentId },
      'through the master',
    );
    await pollUntil(
      async () => (await delta()).agentDelivered === 2,
      10_000,
      'the agent to deliver the message forwarded by the master',
    );
    expect(await delta()).toEqual({
      masterReceived: 1,
      masterForwarded: 1,
      masterInvalid: 0,
      agentDelivered: 2,
      agentDropped: 1,
    });

    // The command executor ignored them: nothing came back, the task still runs.
    expect(
      first.scheduler.count('frameworkMessage') +
        second.scheduler.count('frameworkMessage'),
    ).toBe(0);
    const [answer] = await second.driver.reconcile([
      { task_id: { value: 'message-1' }, slave_id: { value: agentId } },
    ]);
    expect(answer.state).toBe('TASK_RUNNING');
    await tearDown(second);
  }, 60_000);
}
