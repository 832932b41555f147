import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';
import { Upid } from '../../../lib/index.js';
import { MesosMessage } from '../../../lib/mesos/index.js';
import { fromProto } from '../../../lib/mesos/testing/common/resources.js';
import {
  MasterLog,
  type MasterOutbox,
} from '../../../lib/mesos/testing/master/master-outbox.js';
import { SimulatedMaster } from '../../../lib/mesos/testing/master/simulated-master.js';
import { SYSTEM_CLOCK } from '../../../lib/mesos/testing/index.js';

interface Sent {
  to: string;
  type: string;
  message: any;
}

/** The master's logic with a recording outbox: no sockets; timers are setTimeout (fake here). */
function master() {
  const sent: Sent[] = [];
  const links: string[] = [];
  const self = new Upid('master', '127.0.0.1', 5050);
  const outbox: MasterOutbox = {
    send: (to, type, message) =>
      sent.push({ to: to.toString(), type, message }),
    sendInternal: (to, type, message) =>
      sent.push({ to: to.toString(), type, message }),
    link: (to) => links.push(to.toString()),
    unlink: () => undefined,
    later: (ms, method, ...args) => {
      const timer = setTimeout(() => (m as any)[method](...args), ms);
      return {
        cancel: () => (clearTimeout(timer), true),
        pending: true,
      };
    },
  };
  const m = new SimulatedMaster(
    self,
    {
      masterId: 'M',
      hostname: 'localhost',
      clock: SYSTEM_CLOCK,
      authenticateFrameworks: false,
    },
    outbox,
    new MasterLog(() => Date.now()),
  );
  m.agentRegistered({
    id: 'M-S0',
    pid: 'slave(1)@127.0.0.1:5051',
    hostname: 'localhost',
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 1024 } },
    ] as never,
    tasks: [],
  });
  return {
    m,
    sent,
    links,
    of: (type: string) => sent.filter((s) => s.type === type),
  };
}

const scheduler = new Upid('scheduler-1', '127.0.0.1', 6000);

/** A SUBSCRIBE call from `scheduler`: first, or a re-subscription of `resubscribe.id`. */
const subscribe = (
  m: SimulatedMaster,
  suppressed: string[],
  resubscribe?: { id: string; force: boolean },
  info: Record<string, unknown> = {},
) =>
  m.receiveCall(scheduler, {
    type: 'SUBSCRIBE',
    ...(resubscribe && { framework_id: { value: resubscribe.id } }),
    subscribe: {
      framework_info: {
        user: 'u',
        name: 'n',
        roles: [],
        ...(resubscribe && { id: { value: resubscribe.id } }),
        ...info,
      },
      force: resubscribe?.force ?? false,
      suppressed_roles: suppressed,
    },
  } as never);

describe('SimulatedMaster (no sockets, fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('registers, offers the whole agent, and removes a disconnected framework after its failover_timeout', () => {
    const { m, sent, links, of } = master();
    subscribe(m, [], undefined, { failover_timeout: 60 });
    expect(links).toEqual([scheduler.toString()]);
    expect(
      of(MesosMessage.FrameworkRegistered)[0].message.framework_id.value,
    ).toBe('M-0000');
    const offer = of(MesosMessage.ResourceOffers)[0].message.offers[0];
    expect(fromProto(offer.resources).get('cpus')).toBe(2);

    m.frameworkExited(scheduler);
    expect(of(MesosMessage.RescindResourceOffer)).toHaveLength(1);
    expect(sent.at(-2)!.type).toBe(MesosMessage.FrameworkError);
    jest.advanceTimersByTime(59_999);
    expect(m.frameworks.get('M-0000')).toBeDefined();
    jest.advanceTimersByTime(1);
    expect(m.frameworks.get('M-0000')).toBeUndefined();
    expect(m.frameworks.isCompleted('M-0000')).toBe(true);
    expect(of(MesosMessage.ShutdownFramework)).toHaveLength(1);
  });

  it('applies decline filters on the clock: no offer of the agent before refuse_seconds', () => {
    const { m, of } = master();
    subscribe(m, []);
    const offer = of(MesosMessage.ResourceOffers)[0].message.offers[0];
    m.receiveCall(scheduler, {
      framework_id: { value: 'M-0000' },
      type: 'DECLINE',
      decline: { offer_ids: [offer.id], filters: { refuse_seconds: 10 } },
    });
    m.allocate();
    expect(of(MesosMessage.ResourceOffers)).toHaveLength(1);
    jest.advanceTimersByTime(10_000);
    m.allocate();
    expect(of(MesosMessage.ResourceOffers)).toHaveLength(2);
  });
  it('answers TASK_LOST for each task of a LAUNCH or LAUNCH_GROUP accepted on an agent that disconnected since its offer', () => {
    const { m, of } = master();
    subscribe(m, []);
    const offer = of(MesosMessage.ResourceOffers)[0].message.offers[0];
    // Disconnected before the master rescinded the offer (Master::_accept runs after an
    // asynchronous authorization in Mesos; here the agent record changes under the offer).
    m.agents.get('M-S0')!.connected = false;
    const task = (id: string) => ({
      name: id,
      task_id: { value: id },
      slave_id: { value: 'M-S0' },
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }],
      command: { value: 'true' },
    });
    m.receiveCall(scheduler, {
      framework_id: { value: 'M-0000' },
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [
          { type: 'LAUNCH', launch: { task_infos: [task('a'), task('b')] } },
          {
            type: 'LAUNCH_GROUP',
            launch_group: { task_group: { tasks: [task('c')] } },
          },
        ],
      },
    } as never);

    expect(
      of(MesosMessage.StatusUpdate).map(({ message }) => [
        message.update.status.task_id.value,
        message.update.status.state,
        message.update.status.reason,
        message.update.status.message,
      ]),
    ).toEqual(
      ['a', 'b', 'c'].map((id) => [
        id,
        'TASK_LOST',
        'REASON_SLAVE_DISCONNECTED',
        'Agent localhost is disconnected',
      ]),
    );
    expect(of(MesosMessage.RunTask)).toEqual([]);
    expect(m.frameworks.get('M-0000')!.tasks.size).toBe(0);
  });

  describe('SUBSCRIBE.suppressed_roles (Master::subscribe, createAllocatorFrameworkOptions)', () => {
    it('a framework subscribed with its role suppressed gets no offers until REVIVE', () => {
      const { m, of } = master();
      subscribe(m, ['*']);
      expect(of(MesosMessage.FrameworkRegistered)).toHaveLength(1);
      m.allocate();
      expect(of(MesosMessage.ResourceOffers)).toHaveLength(0);
      m.receiveCall(scheduler, {
        framework_id: { value: 'M-0000' },
        type: 'REVIVE',
      });
      expect(of(MesosMessage.ResourceOffers)).toHaveLength(1);
    });

    it('a re-subscription (failover or not) replaces the set: suppressed, then unsuppressed', () => {
      const { m, of } = master();
      subscribe(m, []);
      expect(of(MesosMessage.ResourceOffers)).toHaveLength(1);
      // The same pid without force: offers rescinded, none made while suppressed.
      subscribe(m, ['*'], { id: 'M-0000', force: false });
      expect(of(MesosMessage.FrameworkReregistered)).toHaveLength(1);
      expect(of(MesosMessage.RescindResourceOffer)).toHaveLength(1);
      m.allocate();
      expect(of(MesosMessage.ResourceOffers)).toHaveLength(1);
      // Failover with an empty set: offered again at once.
      subscribe(m, [], { id: 'M-0000', force: true });
      expect(of(MesosMessage.ResourceOffers)).toHaveLength(2);
    });

    it("refuses a suppressed role that is not one of the framework's (the MULTI_ROLE roles, else its role)", () => {
      const { m, of } = master();
      subscribe(m, ['b', 'a', '*', 'b']);
      subscribe(m, ['*', 'web'], undefined, {
        roles: ['web'],
        capabilities: [{ type: 'MULTI_ROLE' }],
      });
      expect(of(MesosMessage.FrameworkError).map((e) => e.message)).toEqual([
        {
          message:
            'Suppressed roles { a, b } are not contained in the set of roles',
        },
        {
          message:
            'Suppressed roles { * } are not contained in the set of roles',
        },
      ]);
      expect([...m.frameworks.all()]).toEqual([]);
    });

    it("refuses UPDATE_FRAMEWORK's invalid suppressed roles after the FrameworkInfo checks", () => {
      const { m, of } = master();
      subscribe(m, []);
      const update = (user: string) =>
        m.receiveCall(scheduler, {
          framework_id: { value: 'M-0000' },
          type: 'UPDATE_FRAMEWORK',
          update_framework: {
            framework_info: { id: { value: 'M-0000' }, user, name: 'n' },
            suppressed_roles: ['other'],
          },
        } as never);
      update('u');
      update('v');
      expect(of(MesosMessage.FrameworkError).map((e) => e.message)).toEqual([
        {
          message:
            "'UpdateFramework' call is not valid: Suppressed roles { other } are not contained in the set of roles",
        },
        {
          message:
            "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'u' to 'v'",
        },
      ]);
      expect(m.frameworks.get('M-0000')!.suppressed).toBe(false);
    });
  });
});
