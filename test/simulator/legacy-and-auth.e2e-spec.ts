import { afterEach, describe, expect, it } from '@jest/globals';
import { Upid } from '../../lib/index.js';
import { MesosMessage } from '../../lib/mesos/mesos.constants.js';
import { cramMd5Response } from '../../lib/mesos/testing/index.js';
import {
  Cluster,
  quietFor,
  stateOf,
  waitFor,
} from './simulator-test.helpers.js';

const FRAMEWORK = { user: 'probe', name: 'legacy', failover_timeout: 30 };

describe('MesosSimulator: legacy scheduler messages (mesos-go v0, pesos)', () => {
  const cluster = new Cluster();
  afterEach(() => cluster.close());

  it('runs the legacy life cycle: Register, LaunchTasks, acknowledgements, Kill, Reconcile, Revive, Unregister', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const send = (name: string, body: object) =>
      probe.send(sim.master, `mesos.internal.${name}`, body);

    send('RegisterFrameworkMessage', { framework: FRAMEWORK });
    const frameworkId = (await probe.next(MesosMessage.FrameworkRegistered))
      .body.framework_id;
    const offer = await probe.firstOffer();
    send('LaunchTasksMessage', {
      framework_id: frameworkId,
      offer_ids: [offer.id],
      filters: { refuse_seconds: 0 },
      tasks: [
        {
          name: 'sleeper',
          task_id: { value: 'sleeper' },
          slave_id: offer.slave_id,
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
          command: { value: 'sleep 30' },
        },
      ],
    });
    const acked = new Set<string>();
    const ackAll = () => {
      for (const m of probe.updates()) {
        const uuid =
          m.update?.uuid && Buffer.from(m.update.uuid).toString('hex');
        if (!uuid || acked.has(uuid)) continue;
        acked.add(uuid);
        send('StatusUpdateAcknowledgementMessage', {
          slave_id: m.update!.slave_id,
          framework_id: frameworkId,
          task_id: m.update!.status!.task_id,
          uuid: m.update!.uuid,
        });
      }
    };
    await waitFor(
      () => (
        ackAll(),
        probe.updates().some((m) => stateOf(m) === 'TASK_RUNNING')
      ),
      10_000,
      'RUNNING',
    );

    send('ReconcileTasksMessage', {
      framework_id: frameworkId,
      statuses: [{ task_id: { value: 'sleeper' }, state: 'TASK_RUNNING' }],
    });
    await waitFor(
      () =>
        probe
          .updates()
          .some((m) => m.update!.status!.reason === 'REASON_RECONCILIATION'),
      5000,
      'the reconciliation',
    );
    send('KillTaskMessage', {
      framework_id: frameworkId,
      task_id: { value: 'sleeper' },
    });
    await waitFor(
      () => (
        ackAll(),
        probe.updates().some((m) => stateOf(m) === 'TASK_KILLED')
      ),
      10_000,
      'KILLED',
    );
    ackAll();

    // An empty LaunchTasksMessage declines; ReviveOffers clears the filter at once.
    const offers = () => probe.received(MesosMessage.ResourceOffers).length;
    // Every offer but the first (used by the launch) is outstanding: decline them all.
    await waitFor(() => offers() >= 2, 5000, 'another offer');
    await quietFor(200);
    const outstanding = probe
      .received(MesosMessage.ResourceOffers)
      .slice(1)
      .map((m) => m.body.offers[0].id);
    send('LaunchTasksMessage', {
      framework_id: frameworkId,
      offer_ids: outstanding,
      filters: { refuse_seconds: 3600 },
      tasks: [],
    });
    await quietFor(300);
    const declined = offers();
    await quietFor(300);
    expect(offers()).toBe(declined);
    send('ReviveOffersMessage', { framework_id: frameworkId });
    await waitFor(() => offers() > declined, 5000, 'an offer after REVIVE');

    send('ResourceRequestMessage', { framework_id: frameworkId, requests: [] });
    send('UnregisterFrameworkMessage', { framework_id: frameworkId });
    await waitFor(
      () => (sim.state().completed_frameworks as unknown[]).length === 1,
      5000,
      'the teardown',
    );
    expect(
      sim.received().map((m) => m.name.replace('mesos.internal.', '')),
    ).toEqual(
      expect.arrayContaining([
        'RegisterFrameworkMessage',
        'LaunchTasksMessage',
        'StatusUpdateAcknowledgementMessage',
        'ReconcileTasksMessage',
        'KillTaskMessage',
        'ReviveOffersMessage',
        'ResourceRequestMessage',
        'UnregisterFrameworkMessage',
      ]),
    );
  });

  it('refuses Register with an id and Reregister without one; ReregisterFrameworkMessage{failover} fails over', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    const send = (name: string, body: object) =>
      probe.send(sim.master, `mesos.internal.${name}`, body);
    send('RegisterFrameworkMessage', {
      framework: { ...FRAMEWORK, id: { value: 'x' } },
    });
    expect((await probe.next(MesosMessage.FrameworkError)).body.message).toBe(
      "Registering with 'id' already set",
    );
    send('ReregisterFrameworkMessage', {
      framework: FRAMEWORK,
      failover: false,
    });
    expect(
      (await probe.next(MesosMessage.FrameworkError, 2)).body.message,
    ).toBe("Re-registering without an 'id'");

    send('RegisterFrameworkMessage', { framework: FRAMEWORK });
    const frameworkId = (await probe.next(MesosMessage.FrameworkRegistered))
      .body.framework_id;
    const other = await cluster.probe(sim.master);
    other.send(sim.master, 'mesos.internal.ReregisterFrameworkMessage', {
      framework: { ...FRAMEWORK, id: frameworkId },
      failover: true,
    });
    await other.next(MesosMessage.FrameworkRegistered);
    expect(
      (await probe.next(MesosMessage.FrameworkError, 3)).body.message,
    ).toBe('Framework failed over');
    // A legacy message from the old pid is ignored as master.cpp does.
    send('KillTaskMessage', {
      framework_id: frameworkId,
      task_id: { value: 't' },
    });
    await waitFor(
      () => sim.logged('because it is not expected from').length > 0,
      5000,
      'the warning',
    );
  });

  it('logs messages a real master handles but the simulator does not at WARN, and unknown Call types too', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.actors.send(
      sim.master,
      'mesos.internal.RegisterSlaveMessage',
      Buffer.alloc(0),
      { from: probe.pid },
    );
    await waitFor(
      () =>
        sim.logged("Dropping 'mesos.internal.RegisterSlaveMessage'").length > 0,
      5000,
      'the warning',
    );
    expect(sim.logged('RegisterSlaveMessage')[0].level).toBe('warn');
    probe.subscribe();
    const frameworkId = (await probe.next(MesosMessage.FrameworkRegistered))
      .body.framework_id.value;
    probe.call({
      framework_id: { value: frameworkId },
      type: 'RECONCILE_OPERATIONS',
    } as never);
    await waitFor(
      () =>
        sim.logged("'RECONCILE_OPERATIONS' is not supported by the v0 API")
          .length > 0,
      5000,
      'the drop',
    );
  });
});

describe('MesosSimulator: CRAM-MD5 authentication', () => {
  const cluster = new Cluster();
  afterEach(() => cluster.close());
  const credentials = [{ principal: 'ci', secret: 's3cret' }];

  async function authenticate(secret: string, authenticateFrameworks = true) {
    const sim = await cluster.simulator({
      credentials,
      authenticateFrameworks,
    });
    const probe = await cluster.probe(sim.master);
    const send = (name: string, body: object, to = sim.master) =>
      probe.send(to, `mesos.internal.${name}`, body);
    send('AuthenticateMessage', { pid: probe.pid.toString() });
    const mechanisms = await probe.next(
      'mesos.internal.AuthenticationMechanismsMessage',
    );
    expect(mechanisms.body.mechanisms).toEqual(['CRAM-MD5']);
    expect(mechanisms.from).toMatch(
      /^crammd5-authenticator-session\(\d+\)@127\.0\.0\.1:\d+$/,
    );
    const sessionPid = Upid.parse(mechanisms.from);
    send('AuthenticationStartMessage', { mechanism: 'CRAM-MD5' }, sessionPid);
    const challenge = (
      await probe.next('mesos.internal.AuthenticationStepMessage')
    ).body.data;
    expect(Buffer.from(challenge).toString()).toMatch(/^<\d+\.\d+@localhost>$/);
    send(
      'AuthenticationStepMessage',
      { data: Buffer.from(cramMd5Response('ci', secret, challenge)) },
      sessionPid,
    );
    return { sim, probe };
  }

  it('completes with the right secret; the framework may then subscribe, with its principal', async () => {
    const { sim, probe } = await authenticate('s3cret');
    await probe.next('mesos.internal.AuthenticationCompletedMessage');
    probe.subscribe();
    await probe.next(MesosMessage.FrameworkRegistered);
    expect((sim.state().frameworks as any[])[0].principal).toBe('ci');
  });

  it('fails with a wrong secret, and an unauthenticated framework is refused with the master text', async () => {
    const { probe } = await authenticate('wrong');
    await probe.next('mesos.internal.AuthenticationFailedMessage');
    probe.subscribe();
    const error = await probe.next(MesosMessage.FrameworkError);
    expect(error.body.message).toBe(
      `Framework at ${probe.pid} is not authenticated`,
    );
  });

  it('answers "No authenticator loaded" without credentials', async () => {
    const sim = await cluster.simulator();
    const probe = await cluster.probe(sim.master);
    probe.send(sim.master, 'mesos.internal.AuthenticateMessage', {
      pid: probe.pid.toString(),
    });
    const error = await probe.next('mesos.internal.AuthenticationErrorMessage');
    expect(error.body.error).toBe('No authenticator loaded');
  });

  it('errors on a mechanism other than CRAM-MD5', async () => {
    const sim = await cluster.simulator({ credentials });
    const probe = await cluster.probe(sim.master);
    probe.send(sim.master, 'mesos.internal.AuthenticateMessage', {
      pid: probe.pid.toString(),
    });
    const mechanisms = await probe.next(
      'mesos.internal.AuthenticationMechanismsMessage',
    );
    probe.send(
      Upid.parse(mechanisms.from),
      'mesos.internal.AuthenticationStartMessage',
      { mechanism: 'PLAIN' },
    );
    const error = await probe.next('mesos.internal.AuthenticationErrorMessage');
    expect(error.body.error).toContain('no mechanism available');
  });
});
