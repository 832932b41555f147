import { describe, expect, it } from '@jest/globals';
import {
  cramMd5Challenge,
  cramMd5Response,
  verifyCramMd5,
} from '../../../lib/mesos/testing/auth/cram-md5.js';
import { BoundedLog, Fifo } from '../../../lib/mesos/testing/common/fifo.js';
import {
  LEGACY_SCHEDULER_MESSAGES,
  legacySubscribe,
} from '../../../lib/mesos/testing/master/legacy-calls.js';

const mapping = (type: string) =>
  LEGACY_SCHEDULER_MESSAGES.find((m) => m.type === `mesos.internal.${type}`)!;

describe('legacy scheduler messages -> Call (master.cpp)', () => {
  const fw = { value: 'f' };

  it('maps LaunchTasksMessage to ACCEPT, and to DECLINE when it has no tasks', () => {
    const launch = mapping('LaunchTasksMessage');
    const offerIds = [{ value: 'o' }];
    expect(
      launch.toCall({
        framework_id: fw,
        tasks: [{ name: 't' }],
        offer_ids: offerIds,
        filters: { refuse_seconds: 1 },
      }),
    ).toEqual({
      framework_id: fw,
      type: 'ACCEPT',
      accept: {
        offer_ids: offerIds,
        operations: [
          { type: 'LAUNCH', launch: { task_infos: [{ name: 't' }] } },
        ],
        filters: { refuse_seconds: 1 },
      },
    });
    expect(
      launch.toCall({
        framework_id: fw,
        tasks: [],
        offer_ids: offerIds,
        filters: {},
      }),
    ).toMatchObject({
      type: 'DECLINE',
      decline: { offer_ids: offerIds },
    });
  });

  it('maps the others onto their Calls', () => {
    const types = Object.fromEntries(
      LEGACY_SCHEDULER_MESSAGES.filter(
        (m) => !m.type.endsWith('LaunchTasksMessage'),
      ).map((m) => [
        m.type.replace('mesos.internal.', ''),
        m.toCall({
          framework_id: fw,
          statuses: [{ task_id: { value: 't' }, state: 'TASK_RUNNING' }],
        }).type,
      ]),
    );
    expect(types).toEqual({
      UnregisterFrameworkMessage: 'TEARDOWN',
      ReviveOffersMessage: 'REVIVE',
      KillTaskMessage: 'KILL',
      StatusUpdateAcknowledgementMessage: 'ACKNOWLEDGE',
      ReconcileTasksMessage: 'RECONCILE',
      ResourceRequestMessage: 'REQUEST',
      FrameworkToExecutorMessage: 'MESSAGE',
    });
    expect(
      mapping('ReconcileTasksMessage').toCall({
        framework_id: fw,
        statuses: [{ task_id: { value: 't' } }],
      }).reconcile,
    ).toEqual({
      tasks: [{ task_id: { value: 't' } }],
    });
    expect(
      mapping('KillTaskMessage').describe({
        framework_id: fw,
        task_id: { value: 't' },
      }),
    ).toBe('kill task message for task t of framework f');
  });

  it('maps (re-)registration to SUBSCRIBE with force = failover, or to the refusal texts', () => {
    expect(
      legacySubscribe('register', {
        framework: { name: 'n', id: { value: 'x' } },
      }),
    ).toEqual({
      refusal: "Registering with 'id' already set",
    });
    expect(
      legacySubscribe('reregister', {
        framework: { name: 'n' },
        failover: true,
      }),
    ).toEqual({
      refusal: "Re-registering without an 'id'",
    });
    const call = legacySubscribe('reregister', {
      framework: { name: 'n', id: { value: 'x' } },
      failover: true,
    });
    expect('call' in call && call.call.subscribe).toMatchObject({
      force: true,
      framework_info: { id: { value: 'x' } },
    });
  });
});

describe('CRAM-MD5 (RFC 2195)', () => {
  const credentials = new Map([['tim', 'tanstaaftanstaaf']]);

  it('matches the RFC 2195 example', () => {
    expect(
      cramMd5Response(
        'tim',
        'tanstaaftanstaaf',
        '<1896.697170952@postoffice.reston.mci.net>',
      ),
    ).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
  });

  it('accepts the right secret, fails a wrong one or an unknown principal, errors on garbage', () => {
    const challenge = cramMd5Challenge('localhost', 0);
    expect(challenge).toMatch(/^<\d+\.0@localhost>$/);
    const ok = Buffer.from(
      cramMd5Response('tim', 'tanstaaftanstaaf', challenge),
    );
    expect(verifyCramMd5(ok, challenge, credentials)).toEqual({
      result: 'ok',
      principal: 'tim',
    });
    expect(
      verifyCramMd5(
        Buffer.from(cramMd5Response('tim', 'wrong', challenge)),
        challenge,
        credentials,
      ),
    ).toEqual({
      result: 'badauth',
      principal: 'tim',
    });
    expect(
      verifyCramMd5(
        Buffer.from(cramMd5Response('bob', 'x', challenge)),
        challenge,
        credentials,
      ),
    ).toEqual({
      result: 'nouser',
      principal: 'bob',
    });
    expect(
      verifyCramMd5(Buffer.from('tim'), challenge, credentials).result,
    ).toBe('error');
  });
});

describe('Fifo and BoundedLog', () => {
  it('shifts in order across compactions', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    for (let i = 0; i < 4000; i++) expect(fifo.shift()).toBe(i);
    fifo.push(5000);
    expect(fifo.peek()).toBe(4000);
    expect(fifo.last()).toBe(5000);
    expect(fifo.length).toBe(1001);
    expect(fifo.toArray().slice(0, 2)).toEqual([4000, 4001]);
  });

  it('keeps the latest entries', () => {
    const log = new BoundedLog<number>(3);
    for (let i = 0; i < 5; i++) log.push(i);
    expect(log.toArray()).toEqual([2, 3, 4]);
  });
});
