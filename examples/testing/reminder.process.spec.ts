import { afterEach, expect, it, jest } from '@jest/globals';
import { createTestingNode, type TestingNode } from 'nestjs-libprocess/testing';
import { ReminderProcess } from './reminder.process.js';

let node: TestingNode;
afterEach(async () => {
  jest.useRealTimers();
  await node.close();
});

it('reminds after an hour of fake time, not before', async () => {
  node = await createTestingNode({ providers: [ReminderProcess] });
  const client = await node.createProbe('client');
  const reminder = node.pid('reminder');
  // Fake the timers only: sockets and process queues need the real event loop.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });

  const handled = node.futureMessage('remind', { to: reminder });
  client.send(reminder, 'remind', '3600');
  await handled; // the delay is armed from here on

  await jest.advanceTimersByTimeAsync(3_599_000);
  client.send(reminder, 'pending');
  const pending = await client.expectMessage('pending', { from: reminder });
  expect(pending.body.toString()).toBe('1');

  await jest.advanceTimersByTimeAsync(1_000);
  await client.expectMessage('reminder', { from: reminder });
  // Nothing else arrived: the reminder came once, after the hour.
  expect(client.received.map((m) => m.name)).toEqual(['pending', 'reminder']);
});
