import { afterEach, expect, it } from '@jest/globals';
import { createTestingNode, type TestingNode } from 'nestjs-libprocess/testing';
import { PingerProcess } from './pinger.process.js';

let node: TestingNode;
afterEach(() => node.close());

it('answers a ping with a pong carrying the same body', async () => {
  node = await createTestingNode({ providers: [PingerProcess] });
  const master = await node.createProbe('master'); // master@127.0.0.1:<port>

  master.send(node.pid('pinger'), 'ping', 'hello');

  const pong = await master.expectMessage('pong', { from: node.pid('pinger') });
  expect(pong.body.toString()).toBe('hello');
});

it('never answers a ping that was lost (DROP_MESSAGE)', async () => {
  node = await createTestingNode({ providers: [PingerProcess] });
  const master = await node.createProbe('master');
  const lost = node.dropMessage('ping', { from: master.pid });

  master.send(node.pid('pinger'), 'ping', 'lost');
  master.send(node.pid('pinger'), 'ping', 'kept');

  expect((await lost).body.toString()).toBe('lost');
  const pong = await master.expectMessage('pong');
  expect(pong.body.toString()).toBe('kept'); // the first pong is the second ping's
});
