/**
 * Sending throughput for a 100-byte message: `encodeMessage` (one Buffer per message, the
 * one-off API) and `WireNode.send` (the library's outbound path: cached heads, 64 KiB slabs,
 * one corked write per tick) into a socket whose far end, in this process, only drains bytes.
 */
import { createServer, type AddressInfo } from 'node:net';

import { encodeMessage, Upid, WireNode } from '../../lib/wire/index.js';
import { cpuMs, QUICK, rate, repeatMeasure } from '../support/bench-runner.js';

const body = Buffer.alloc(100, 'x');
const ROUND = 10_000;
const MIN_MS = QUICK ? 150 : 500;

let sink = 0;
const from = new Upid('sender', '127.0.0.1', 40001);
const to = new Upid('echo', '127.0.0.1', 5050);
await repeatMeasure('micro.encoder.message', 'msgs/s', () =>
  rate(ROUND, MIN_MS, () => {
    for (let i = 0; i < ROUND; i++) {
      sink += encodeMessage(from, to, 'count', body).length;
    }
  }),
);
if (sink === 0) throw new Error('nothing encoded');

// The far end counts bytes, so a round ends when all of it has left the sender.
let received = 0;
let onReceived: (() => void) | null = null;
let expected = 0;
const server = createServer((socket) =>
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= expected) onReceived?.();
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const node = new WireNode(
  { ip: '127.0.0.1', port: 0 },
  { onMessage: () => true },
);
await node.listen();
try {
  const sender = node.pid('sender');
  const target = new Upid(
    'echo',
    '127.0.0.1',
    (server.address() as AddressInfo).port,
  );
  const frame = encodeMessage(sender, target, 'count', body).length;
  await repeatMeasure('micro.encoder.wire-send', 'msgs/s', async () => {
    let messages = 0;
    const start = cpuMs();
    do {
      expected = received + ROUND * frame;
      const done = new Promise<void>((resolve) => (onReceived = resolve));
      for (let i = 0; i < ROUND; i++) node.send(sender, target, 'count', body);
      await done;
      messages += ROUND;
    } while (cpuMs() - start < MIN_MS);
    return (messages / (cpuMs() - start)) * 1000;
  });
} finally {
  await node.close();
  server.close();
}
