import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest,
} from '@jest/globals';

import { Upid } from '../../../lib/index.js';
import { AskRegistry } from '../../../lib/runtime/ask-registry.js';
import { EMPTY_DEFINITION } from '../../../lib/runtime/process-definition.js';
import { ProcessRecord } from '../../../lib/runtime/process-record.js';

describe('AskRegistry', () => {
  const peer = new Upid('echo', '10.0.0.2', 5051);
  let settled: string[];
  let registry: AskRegistry;
  let asker: ProcessRecord;
  beforeEach(() => {
    jest.useFakeTimers();
    settled = [];
    registry = new AskRegistry((record) => settled.push(record.id));
    asker = new ProcessRecord('asker', null, EMPTY_DEFINITION, []);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function ask(reply: string, timeoutMs = 1000) {
    const outcome: { value?: unknown; error?: unknown } = {};
    registry.add(
      asker,
      peer,
      reply,
      timeoutMs,
      (value) => (outcome.value = value),
      (error) => (outcome.error = error),
      () => new Error(`no ${reply}`),
    );
    return outcome;
  }

  it('resolves the waiter a reply answers (name, sender id and port; any host)', () => {
    const outcome = ask('pong');
    const body = Buffer.from('x');
    expect(
      registry.answer(asker, new Upid('other', '10.0.0.2', 5051), 'pong', body),
    ).toBe(false);
    expect(registry.answer(asker, peer, 'ping', body)).toBe(false);
    const alias = new Upid('echo', 'peer.example', 5051);
    expect(registry.answer(asker, alias, 'pong', body)).toBe(true);
    expect(outcome.value).toEqual({ body, from: alias });
    expect(settled).toEqual(['asker']);
    expect(asker.askWaiters).toBeNull();
    // Answered once: a second pong is a plain message.
    expect(registry.answer(asker, peer, 'pong', body)).toBe(false);
  });

  it('rejects after the timeout, and the reply that comes later is a plain message', () => {
    const outcome = ask('pong', 500);
    jest.advanceTimersByTime(499);
    expect(outcome.error).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect((outcome.error as Error).message).toBe('no pong');
    expect(settled).toEqual(['asker']);
    expect(registry.answer(asker, peer, 'pong', Buffer.alloc(0))).toBe(false);
  });

  it('rejects every pending call of a process that goes away, and no timer fires after', () => {
    const first = ask('a');
    const second = ask('b');
    const reason = new Error('terminated');
    registry.rejectAll(asker, reason);
    expect(first.error).toBe(reason);
    expect(second.error).toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
    expect(settled).toEqual([]);
  });
});
