import { describe, expect, it } from '@jest/globals';
import type { StatusUpdate } from '../../../lib/mesos/mesos.types.js';
import {
  STATUS_UPDATE_RETRY_INTERVAL_MAX_MS,
  StatusUpdateStream,
} from '../../../lib/mesos/testing/agent/status-update-stream.js';

const update = (state: string, byte: number): StatusUpdate =>
  ({
    framework_id: { value: 'f' },
    status: { task_id: { value: 't' }, state },
    timestamp: 0,
    uuid: Buffer.alloc(16, byte),
  }) as unknown as StatusUpdate;

describe('StatusUpdateStream (the agent status update manager)', () => {
  it('sends only the head; the next update goes out once the head is acknowledged with its uuid', () => {
    const stream = new StatusUpdateStream('f', 't');
    expect(stream.push(update('TASK_STARTING', 1))).toBe(true);
    expect(stream.push(update('TASK_RUNNING', 2))).toBe(false);
    expect(stream.push(update('TASK_FINISHED', 3))).toBe(false);
    expect(stream.latestState()).toBe('TASK_FINISHED');

    expect(stream.acknowledge(Buffer.alloc(16, 2))).toMatchObject({
      accepted: false,
    });
    const first = stream.acknowledge(Buffer.alloc(16, 1));
    expect(first).toMatchObject({ accepted: true, terminal: false });
    expect(first.accepted && first.next?.status?.state).toBe('TASK_RUNNING');
    stream.acknowledge(Buffer.alloc(16, 2));
    expect(stream.acknowledge(Buffer.alloc(16, 3))).toEqual({
      accepted: true,
      next: undefined,
      terminal: true,
    });
    expect(stream.isClosed).toBe(true);
    expect(() => stream.push(update('TASK_RUNNING', 4))).toThrow(/closed/);
  });

  it('backs off 10 s doubling to 10 min, and starts over on a new head or a resume (UpdateFrameworkMessage)', () => {
    const stream = new StatusUpdateStream('f', 't');
    stream.push(update('TASK_STARTING', 1));
    const waits = Array.from({ length: 8 }, () => stream.sent());
    expect(waits).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000,
    ]);
    expect(waits.at(-1)).toBe(STATUS_UPDATE_RETRY_INTERVAL_MAX_MS);
    expect(stream.resume()?.status?.state).toBe('TASK_STARTING');
    expect(stream.sent()).toBe(10_000);
    stream.sent();
    stream.push(update('TASK_RUNNING', 2));
    stream.acknowledge(Buffer.alloc(16, 1));
    expect(stream.sent()).toBe(10_000);
  });

  it('drains a long stream without re-indexing it on every acknowledgement', () => {
    const stream = new StatusUpdateStream('f', 't');
    for (let i = 0; i < 5000; i++) stream.push(update('TASK_RUNNING', i % 256));
    for (let i = 0; i < 5000; i++) {
      expect(stream.acknowledge(Buffer.alloc(16, i % 256)).accepted).toBe(true);
    }
    expect(stream.length).toBe(0);
  });
});
