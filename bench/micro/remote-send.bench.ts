/**
 * Outbound through the Nest layer: `ActorRef.send()` from a process to a remote pid (a bare
 * byte-draining socket server in this process), in bursts of 10,000. Compare with
 * `micro.encoder.wire-send` (the same bytes through `WireNode.send` directly).
 */
import { createServer, type AddressInfo } from 'node:net';

import { Process, Upid } from '../../lib/index.js';
import { encodeMessage } from '../../lib/wire/index.js';
import { startBenchNode } from '../support/bench-node.js';
import { cpuMs, QUICK, repeatMeasure } from '../support/bench-runner.js';

const ROUND = 10_000;
const MIN_MS = QUICK ? 150 : 500;

@Process('sender')
class SenderProcess {}

let received = 0;
let expected = 0;
let onReceived: (() => void) | null = null;
const server = createServer((socket) =>
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= expected) onReceived?.();
  }),
);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const node = await startBenchNode([SenderProcess]);
try {
  const from = node.actors.self(node.app.get(SenderProcess));
  const to = new Upid(
    'echo',
    '127.0.0.1',
    (server.address() as AddressInfo).port,
  );
  const body = Buffer.alloc(100, 'x');
  const frame = encodeMessage(from, to, 'count', body).length;
  await repeatMeasure('micro.remote-send', 'msgs/s', async () => {
    let messages = 0;
    const start = cpuMs();
    do {
      expected = received + ROUND * frame;
      const done = new Promise<void>((resolve) => (onReceived = resolve));
      for (let i = 0; i < ROUND; i++)
        node.actors.send(to, 'count', body, { from });
      await done;
      messages += ROUND;
    } while (cpuMs() - start < MIN_MS);
    return (messages / (cpuMs() - start)) * 1000;
  });
} finally {
  await node.close();
  server.close();
}
