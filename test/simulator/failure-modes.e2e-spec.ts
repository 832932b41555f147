import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosMessage } from '../../lib/mesos/mesos.constants.js';
import { NO_ACKNOWLEDGEE } from '../../lib/mesos/testing/index.js';
import {
  Cluster,
  quietFor,
  launchCall,
  type Probe,
  stateOf,
  waitFor,
} from './simulator-test.helpers.js';

/** Registers the probe and runs one long task on the first agent; returns the framework id. */
async function runningTask(
  probe: Probe,
  capabilities?: string[],
): Promise<string> {
  probe.subscribe({ capabilities });
  const offer = await probe.firstOffer();
  const frameworkId = offer.framework_id!.value;
  probe.call(launchCall(frameworkId, offer, 'sleeper', 'sleep 30') as never);
  // Acknowledge what the agent sends until the task runs (each update waits for the last ack).
  const acked = new Set<string>();
  await waitFor(
    () => {
      for (const m of probe.updates()) {
        const uuid =
          m.update?.uuid && Buffer.from(m.update.uuid).toString('hex');
        if (!uuid || acked.has(uuid)) continue;
        acked.add(uuid);
        probe.call({
          framework_id: { value: frameworkId },
          type: 'ACKNOWLEDGE',
          acknowledge: {
            slave_id: m.update!.slave_id,
            task_id: m.update!.status!.task_id,
            uuid: m.update!.uuid,
          },
        } as never);
      }
      return probe.updates().some((m) => stateOf(m) === 'TASK_RUNNING');
    },
    10_000,
    'TASK_RUNNING',
  );
  return frameworkId;
}

/** Waits for the reconciliation answer carrying `message` (and `state`, when given). */
async function reconciliationAnswer(
  probe: Probe,
  message: string,
  state: string | undefined,
  what: string,
): Promise<ReturnType<Probe['updates']>[number]> {
  const answer = () =>
    probe
      .updates()
      .find(
        (m) =>
          m.update!.status!.message === message &&
          (state === undefined || stateOf(m) === state),
      );
  await waitFor(() => answer() !== undefined, 5000, what);
  return answer()!;
}

const reconcile = (probe: Probe, frameworkId: string, slaveId?: string) =>
  probe.call({
    framework_id: { value: frameworkId },
    type: 'RECONCILE',
    reconcile: {
      tasks: [
        {
          task_id: { value: 'sleeper' },
          ...(slaveId && { slave_id: { value: slaveId } }),
        },
      ],
    },
  } as never);

describe('MesosSimulator: failure modes', () => {
  const cluster = new Cluster();
  afterEach(() => cluster.close());

  it('agent lost: LostSlaveMessage and TASK_LOST (REASON_SLAVE_REMOVED) for a framework that is not partition-aware', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe);
    const agentId = sim.agents[0].settings.agentId;
    await sim.loseAgent(0);
    const lost = await probe.next(MesosMessage.LostSlave);
    expect(lost.body.slave_id.value).toBe(agentId);
    const update = probe
      .updates()
      .find((m) => m.update!.status!.source === 'SOURCE_MASTER')!;
    expect(update.pid).toBe(NO_ACKNOWLEDGEE);
    expect(update.update!.status).toMatchObject({
      state: 'TASK_LOST',
      reason: 'REASON_SLAVE_REMOVED',
      message: 'health check timed out',
    });
    reconcile(probe, frameworkId, agentId);
    await waitFor(
      () =>
        probe
          .updates()
          .some(
            (m) =>
              m.update!.status!.message ===
              'Reconciliation: Task is unreachable',
          ),
      5000,
      'the reconciliation answer',
    );
    // The agent comes back: the task of a non-partition-aware framework is shut down on it.
    await sim.reconnectAgent(0);
    await waitFor(
      () => sim.agents[0].taskStates().length === 0,
      10_000,
      'the task to be shut down',
    );
  });

  it('agent lost: TASK_UNREACHABLE for a PARTITION_AWARE framework, and the task is back when the agent returns', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe, ['PARTITION_AWARE']);
    await sim.loseAgent(0);
    await probe.next(MesosMessage.LostSlave);
    const update = probe
      .updates()
      .find((m) => m.update!.status!.source === 'SOURCE_MASTER')!;
    expect(update.update!.status).toMatchObject({
      state: 'TASK_UNREACHABLE',
      reason: 'REASON_SLAVE_REMOVED',
    });
    expect(update.update!.status!.unreachable_time).toBeDefined();
    await sim.reconnectAgent(0);
    await waitFor(
      () => (sim.state().slaves as unknown[]).length === 1,
      10_000,
      'the agent to re-register',
    );
    reconcile(probe, frameworkId);
    await reconciliationAnswer(
      probe,
      'Reconciliation: Latest task state',
      'TASK_RUNNING',
      'TASK_RUNNING from reconciliation',
    );
  });

  it('failover, in-memory registry: the new master answers TASK_LOST for a running task until the agent re-registers (fault B)', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe);
    const oldId = sim.id;
    await sim.failover({ registry: 'in_memory', agentReregisterDelayMs: 1500 });
    expect(sim.id).not.toBe(oldId);
    // The scheduler re-subscribes with its id: recovered, answered FrameworkRegisteredMessage.
    probe.subscribe({ frameworkId });
    await probe.next(MesosMessage.FrameworkRegistered, 2);
    reconcile(probe, frameworkId);
    const answer = await reconciliationAnswer(
      probe,
      'Reconciliation: Task is unknown',
      undefined,
      'the reconciliation answer',
    );
    expect(stateOf(answer)).toBe('TASK_LOST');
    // Yet the task still runs, and the agent brings it back.
    await waitFor(
      () => sim.agents[0].registered,
      10_000,
      'the agent to re-register',
    );
    reconcile(probe, frameworkId);
    await reconciliationAnswer(
      probe,
      'Reconciliation: Latest task state',
      'TASK_RUNNING',
      'TASK_RUNNING after the re-registration',
    );
  });

  it('failover, replicated log: reconciliation stays unanswered while the agent is recovering', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe);
    await sim.failover({
      registry: 'replicated_log',
      agentReregisterDelayMs: 1500,
    });
    probe.subscribe({ frameworkId });
    await probe.next(MesosMessage.FrameworkRegistered, 2);
    const before = probe.updates().length;
    reconcile(probe, frameworkId);
    await quietFor(300);
    expect(probe.updates()).toHaveLength(before);
    expect(sim.logged('not yet reregistered with the master')).toHaveLength(1);
    await waitFor(
      () => sim.agents[0].registered,
      10_000,
      'the agent to re-register',
    );
    reconcile(probe, frameworkId);
    await waitFor(() => probe.updates().length > before, 5000, 'an answer');
    expect(stateOf(probe.updates()[before])).toBe('TASK_RUNNING');
  });

  it('non-leader: 307 to the leader on /master/state, every message dropped as "not elected"', async () => {
    const sim = await cluster.simulator({
      leading: false,
      leader: '127.0.0.1:5050',
    });
    const response = await fetch(`http://${sim.address}/master/state`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      '//127.0.0.1:5050/master/state',
    );
    expect(await response.text()).toBe('');
    const probe = await cluster.probe(sim.master);
    probe.subscribe();
    await waitFor(
      () => sim.masterProcess.droppedMessages >= 1,
      5000,
      'the drop',
    );
    await quietFor(200);
    expect(probe.process.inbox).toEqual([]);
    await sim.elect();
    const leading = await fetch(`http://${sim.address}/master/state`);
    expect(((await leading.json()) as { leader: string }).leader).toBe(
      sim.master.toString(),
    );
    probe.subscribe();
    await probe.next(MesosMessage.FrameworkRegistered);
  });

  it('inverse offers: an InverseOffersMessage for an agent, declined through DECLINE_INVERSE_OFFERS', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.subscribe();
    const frameworkId = (await probe.next(MesosMessage.FrameworkRegistered))
      .body.framework_id.value;
    const id = sim.sendInverseOffer(frameworkId, { durationMs: 60_000 });
    const message = (await probe.next('mesos.internal.InverseOffersMessage'))
      .body;
    expect(message.inverse_offers[0]).toMatchObject({
      id: { value: id },
      framework_id: { value: frameworkId },
      slave_id: { value: sim.agents[0].settings.agentId },
      unavailability: { duration: { nanoseconds: '60000000000' } },
    });
    expect(message.pids).toEqual([sim.agents[0].pid.toString()]);
    probe.call({
      framework_id: { value: frameworkId },
      type: 'DECLINE_INVERSE_OFFERS',
      decline_inverse_offers: { inverse_offer_ids: [{ value: id }] },
    } as never);
    await waitFor(
      () =>
        sim.masterProcess.master.frameworks.get(frameworkId)!.inverseOffers
          .size === 0,
      5000,
      'the decline',
    );
  });

  it('slow master: a scheduler that closes right after TEARDOWN gets it refused as "Framework disconnected" (fault A)', async () => {
    const sim = await cluster.simulator({ schedulerMessageDelayMs: 300 });
    const probe = await cluster.probe(sim.master);
    probe.subscribe({ failoverTimeout: 60 });
    const frameworkId = (
      await probe.next(MesosMessage.FrameworkRegistered, 1, 5000)
    ).body.framework_id.value;
    probe.call({
      framework_id: { value: frameworkId },
      type: 'TEARDOWN',
    } as never);
    await probe.app.close();
    await waitFor(
      () => sim.logged('Refusing TEARDOWN call').length > 0,
      5000,
      'the refusal',
    );
    // The framework is left inactive, not completed: what a real master shows after fault A.
    expect(sim.state().completed_frameworks).toEqual([]);
    expect((sim.state().frameworks as any[])[0]).toMatchObject({
      id: frameworkId,
      connected: false,
    });
  });

  it('refuses to launch a task id that still runs (fault C): TASK_ERROR "Task has duplicate ID"', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe);
    const count = probe.received(MesosMessage.ResourceOffers).length;
    // The launch left the rest of its offer unused, which the master filters for the default
    // 5 s (Filters.refuse_seconds), as a real master does: the next offer comes after that
    // plus one allocation interval.
    await waitFor(
      () => probe.received(MesosMessage.ResourceOffers).length > count,
      15_000,
      'another offer',
    );
    const offer = probe.received(MesosMessage.ResourceOffers).at(-1)!.body
      .offers[0];
    probe.call(launchCall(frameworkId, offer, 'sleeper') as never);
    await waitFor(
      () => probe.updates().some((m) => stateOf(m) === 'TASK_ERROR'),
      5000,
      'TASK_ERROR',
    );
    const error = probe.updates().find((m) => stateOf(m) === 'TASK_ERROR')!;
    expect(error.update!.status).toMatchObject({
      message: 'Task has duplicate ID: sleeper',
      reason: 'REASON_TASK_INVALID',
      source: 'SOURCE_MASTER',
    });
    expect(sim.agents[0].taskStates()).toHaveLength(1);
  });

  it('MESSAGE reaches the executor on the agent, SHUTDOWN kills it, UPDATE_FRAMEWORK updates the agents', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const frameworkId = await runningTask(probe);
    const agent = sim.agents[0];
    const slaveId = { value: agent.settings.agentId };
    probe.call({
      framework_id: { value: frameworkId },
      type: 'MESSAGE',
      message: {
        slave_id: slaveId,
        executor_id: { value: 'sleeper' },
        data: Buffer.from('hi'),
      },
    } as never);
    // The C++ driver sends FrameworkToExecutorMessage straight to the agent pid of the offers.
    probe.send(agent.pid, 'mesos.internal.FrameworkToExecutorMessage', {
      slave_id: slaveId,
      framework_id: { value: frameworkId },
      executor_id: { value: 'sleeper' },
      data: Buffer.from('direct'),
    });
    await waitFor(
      () => agent.frameworkMessages.length === 2,
      5000,
      'the framework messages',
    );
    expect(
      agent.frameworkMessages.map((m) => m.data.toString()).sort(),
    ).toEqual(['direct', 'hi']);

    probe.call({
      framework_id: { value: frameworkId },
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: {
          user: 'probe',
          name: 'renamed',
          id: { value: frameworkId },
          roles: [],
        },
      },
    } as never);
    await waitFor(
      () => (sim.state().frameworks as any[])[0].name === 'renamed',
      5000,
      'the update',
    );
    probe.call({
      framework_id: { value: frameworkId },
      type: 'SHUTDOWN',
      shutdown: { slave_id: slaveId, executor_id: { value: 'sleeper' } },
    } as never);
    await waitFor(
      () => probe.updates().some((m) => stateOf(m) === 'TASK_KILLED'),
      10_000,
      'TASK_KILLED',
    );
  });
});
