import { afterEach, describe, expect, it } from '@jest/globals';
import { MesosMessage } from '../../lib/mesos/mesos.constants.js';
import { NO_ACKNOWLEDGEE } from '../../lib/mesos/testing/index.js';
import {
  Cluster,
  launchCall,
  stateOf,
  waitFor,
} from './simulator-test.helpers.js';

/** The master's scheduler-facing semantics, seen from a bare framework process on the wire. */
describe('MesosSimulator: master', () => {
  const cluster = new Cluster();
  afterEach(() => cluster.close());

  it('registers a framework, offers the agent, runs a task and holds each update until it is acknowledged', async () => {
    const sim = await cluster.simulator({ statusUpdateRetryMs: 200 });
    const probe = await cluster.probe(sim.master);
    probe.subscribe();
    const registered = await probe.next(MesosMessage.FrameworkRegistered);
    expect(registered.from).toBe(sim.master.toString());
    expect(registered.body.master_info).toMatchObject({
      id: sim.id,
      port: sim.master.port,
      pid: sim.master.toString(),
      ip: 0x0100007f,
    });
    const offer = await probe.firstOffer();
    const frameworkId = registered.body.framework_id.value;
    expect(offer.framework_id!.value).toBe(frameworkId);
    expect(offer.resources!.map((r) => r.name)).toEqual([
      'cpus',
      'disk',
      'mem',
      'ports',
    ]);
    const pids = (await probe.next(MesosMessage.ResourceOffers)).body.pids;
    expect(pids).toEqual([sim.agents[0].pid.toString()]);

    probe.call(launchCall(frameworkId, offer, 't1') as never);
    await waitFor(
      () => probe.updates().length >= 2,
      10_000,
      'the re-sent TASK_STARTING',
    );
    const [first, again] = probe.updates();
    expect([stateOf(first), stateOf(again)]).toEqual([
      'TASK_STARTING',
      'TASK_STARTING',
    ]);
    expect(
      Buffer.from(again.update!.uuid!).equals(Buffer.from(first.update!.uuid!)),
    ).toBe(true);
    expect(first.pid).toBe(sim.agents[0].pid.toString());
    expect(first.update!.slave_id!.value).toBe(sim.agents[0].settings.agentId);

    const ack = (m: typeof first) =>
      probe.call({
        framework_id: { value: frameworkId },
        type: 'ACKNOWLEDGE',
        acknowledge: {
          slave_id: m.update!.slave_id,
          task_id: m.update!.status!.task_id,
          uuid: m.update!.uuid,
        },
      } as never);
    ack(first);
    await waitFor(
      () => probe.updates().some((m) => stateOf(m) === 'TASK_RUNNING'),
      10_000,
      'RUNNING',
    );
    ack(probe.updates().find((m) => stateOf(m) === 'TASK_RUNNING')!);
    await waitFor(
      () => probe.updates().some((m) => stateOf(m) === 'TASK_FINISHED'),
      10_000,
      'FINISHED',
    );
    ack(probe.updates().find((m) => stateOf(m) === 'TASK_FINISHED')!);
    await probe.next(MesosMessage.ExitedExecutor);
    // The terminal acknowledgement removed the task from the master.
    await waitFor(
      () => (sim.state().frameworks as any[])[0].completed_tasks.length === 1,
      5000,
      'the task to complete',
    );
  });

  it('re-subscription from the same pid without force: rescinds offers, answers FrameworkReregisteredMessage', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.subscribe();
    const offer = await probe.firstOffer();
    probe.subscribe({ frameworkId: offer.framework_id!.value });
    await probe.next(MesosMessage.FrameworkReregistered);
    expect(
      probe
        .received(MesosMessage.RescindResourceOffer)
        .map((m) => m.body.offer_id.value),
    ).toEqual([offer.id!.value]);
    expect(probe.received(MesosMessage.FrameworkRegistered)).toHaveLength(1);
  });

  it('decides failover on force: same pid + force is a failover (Registered), another pid without force is refused', async () => {
    const sim = await cluster.simulator();
    const first = await cluster.probe(sim.master);
    first.subscribe();
    const frameworkId = (await first.next(MesosMessage.FrameworkRegistered))
      .body.framework_id.value;

    first.subscribe({ frameworkId, force: true });
    await first.next(MesosMessage.FrameworkRegistered, 2);
    expect(first.received(MesosMessage.FrameworkReregistered)).toHaveLength(0);
    // Same pid: the scheduler is not told it failed over.
    expect(first.received(MesosMessage.FrameworkError)).toHaveLength(0);

    const second = await cluster.probe(sim.master);
    second.subscribe({ frameworkId });
    expect((await second.next(MesosMessage.FrameworkError)).body.message).toBe(
      'Framework failed over',
    );

    second.subscribe({ frameworkId, force: true });
    await second.next(MesosMessage.FrameworkRegistered);
    expect((await first.next(MesosMessage.FrameworkError)).body.message).toBe(
      'Framework failed over',
    );
    expect((sim.state().frameworks as any[])[0].pid).toBe(
      second.pid.toString(),
    );
  });

  it('sends master-generated updates as master.cpp does: pid "@0.0.0.0:0" when forwarded, none for reconciliation', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.subscribe();
    const offer = await probe.firstOffer();
    const frameworkId = offer.framework_id!.value;
    // Asks for more than offered: TASK_ERROR REASON_TASK_INVALID.
    probe.call(launchCall(frameworkId, offer, 'big', 'true', 64) as never);
    const error = (await probe.next(MesosMessage.StatusUpdate)).body;
    expect(error.pid).toBe(NO_ACKNOWLEDGEE);
    expect(error.update.uuid).toBeUndefined();
    expect(error.update.slave_id.value).toBe(offer.slave_id!.value);
    expect(error.update.status).toMatchObject({
      state: 'TASK_ERROR',
      source: 'SOURCE_MASTER',
      reason: 'REASON_TASK_INVALID',
    });
    expect(error.update.status.message).toMatch(
      /^Total resources cpus:64 required by task and its executor is more than available cpus:4/,
    );

    probe.call({
      framework_id: { value: frameworkId },
      type: 'RECONCILE',
      reconcile: {
        tasks: [{ task_id: { value: 'nope' }, slave_id: offer.slave_id }],
      },
    } as never);
    const answer = (await probe.next(MesosMessage.StatusUpdate, 2)).body;
    expect(answer.pid).toBeUndefined();
    expect(answer.update.status).toMatchObject({
      state: 'TASK_LOST',
      reason: 'REASON_RECONCILIATION',
      message: 'Reconciliation: Task is unknown to the agent',
    });
  });

  it('answers reconciliation with partition-aware states for PARTITION_AWARE frameworks, and KILL of an unknown task through it', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.subscribe({ capabilities: ['PARTITION_AWARE'] });
    const offer = await probe.firstOffer();
    const frameworkId = offer.framework_id!.value;
    probe.call({
      framework_id: { value: frameworkId },
      type: 'KILL',
      kill: { task_id: { value: 'ghost' }, slave_id: offer.slave_id },
    } as never);
    const gone = (await probe.next(MesosMessage.StatusUpdate)).body.update
      .status;
    expect(gone).toMatchObject({
      state: 'TASK_GONE',
      message: 'Reconciliation: Task is unknown to the agent',
    });
    probe.call({
      framework_id: { value: frameworkId },
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 'ghost' } }] },
    } as never);
    const unknown = (await probe.next(MesosMessage.StatusUpdate, 2)).body.update
      .status;
    expect(unknown).toMatchObject({
      state: 'TASK_UNKNOWN',
      message: 'Reconciliation: Task is unknown',
    });
    // Invalid offers: TASK_DROPPED instead of TASK_LOST.
    probe.call(
      launchCall(
        frameworkId,
        { ...offer, id: { value: 'stale' } },
        't',
      ) as never,
    );
    const dropped = (await probe.next(MesosMessage.StatusUpdate, 3)).body.update
      .status;
    expect(dropped).toMatchObject({
      state: 'TASK_DROPPED',
      reason: 'REASON_INVALID_OFFERS',
      message:
        'Task launched with invalid offers: Offer stale is no longer valid',
    });
  });

  it('rescinds offers and refuses calls ("Framework disconnected") when the link to the scheduler breaks', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.subscribe({ failoverTimeout: 60 });
    const offer = await probe.firstOffer();
    const frameworkId = offer.framework_id!.value;
    // Restarting the probe's node breaks the master's link; a new probe on a new port is
    // another pid, so use the master's view.
    await probe.app.close();
    await waitFor(
      () => sim.logged(`Framework ${frameworkId} disconnected`).length > 0,
      5000,
      'the disconnection',
    );
    const framework = (sim.state().frameworks as any[])[0];
    expect(framework).toMatchObject({
      connected: false,
      active: false,
      offers: [],
    });
    expect(sim.logged('Giving framework')[0].message).toContain(
      '60secs to failover',
    );
  });

  it('serves GET /state through the delegate, and /master/state, /master/frameworks', async () => {
    const sim = await cluster.simulator();
    for (const path of ['/state', '/master/state']) {
      const response = await fetch(`http://${sim.address}${path}`);
      expect(response.status).toBe(200);
      const state = (await response.json()) as Record<string, unknown>;
      expect(state).toMatchObject({
        leader: sim.master.toString(),
        activated_slaves: 1,
        leader_info: { id: sim.id, port: sim.master.port },
      });
    }
    const frameworks = await fetch(`http://${sim.address}/master/frameworks`);
    expect(await frameworks.json()).toEqual({
      frameworks: [],
      completed_frameworks: [],
      unregistered_frameworks: [],
    });
  });
});
