/**
 * The loopback limit for libprocess framing: a bare `net.Socket` writer and a bare `net.Server`
 * that only counts bytes. Run as two processes by raw-limit.ts (like a peer client and server):
 *
 *   node dist/bench/raw/raw-socket.js server     prints its port; per connection, counts the
 *        bytes until the writer's FIN, then answers with the count (decimal) and closes
 *   node dist/bench/raw/raw-socket.js writer --port P --n N --size S --style per-message|bulk
 *        prints {"mode": "raw", "style": ..., "msgs_per_sec": ...}
 *
 * The bytes are N `count` messages exactly as the library (and C++ libprocess) frames them.
 * `per-message` is one `socket.write` per message, corked per batch and drain-aware: the least
 * a Node sender does per message. `bulk` writes pre-joined 64 KiB slabs: the byte bandwidth.
 * Each measurement follows one unmeasured run on a first connection (warm JIT on both sides).
 */
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

import { encodeMessage, Upid } from '../../lib/wire/index.js';

const BATCH = 256;
const SLAB_BYTES = 64 * 1024;

function serve(): void {
  // Half-open: the writer's FIN marks the end of its bytes, and the count goes back after it.
  const server = createServer(
    { noDelay: true, allowHalfOpen: true },
    (socket) => {
      let received = 0;
      socket.on('data', (chunk) => (received += chunk.length));
      socket.on('end', () => socket.end(String(received)));
      socket.on('error', () => socket.destroy());
    },
  );
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string')
      throw new Error('no port');
    process.stdout.write(`${address.port}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
}

/** Resolves once the socket can take more (immediately if it already can). */
function drained(socket: Socket): Promise<void> {
  return socket.writableNeedDrain
    ? new Promise((resolve) => socket.once('drain', resolve))
    : Promise.resolve();
}

async function writePerMessage(
  socket: Socket,
  message: Buffer,
  n: number,
): Promise<void> {
  for (let sent = 0; sent < n;) {
    socket.cork();
    const end = Math.min(n, sent + BATCH);
    for (; sent < end; sent++) socket.write(message);
    socket.uncork();
    await drained(socket);
  }
}

async function writeBulk(
  socket: Socket,
  message: Buffer,
  n: number,
): Promise<void> {
  const perSlab = Math.max(1, Math.floor(SLAB_BYTES / message.length));
  const slab = Buffer.concat(new Array<Buffer>(perSlab).fill(message));
  for (let sent = 0; sent < n; sent += perSlab) {
    const count = Math.min(perSlab, n - sent);
    socket.write(
      count === perSlab ? slab : slab.subarray(0, count * message.length),
    );
    await drained(socket);
  }
}

/** One connection: N messages, FIN, then the server's byte count. Returns the seconds taken. */
async function timedRun(
  port: number,
  n: number,
  size: number,
  style: string,
): Promise<{ seconds: number; messageBytes: number }> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const message = encodeMessage(
    new Upid('sender', '127.0.0.1', socket.localPort ?? 0),
    new Upid('echo', '127.0.0.1', port),
    'count',
    Buffer.alloc(size, 'x'),
  );
  let reply = '';
  socket.setEncoding('latin1').on('data', (s: string) => (reply += s));
  const done = new Promise<void>((resolve) => socket.once('end', resolve));
  const start = process.hrtime.bigint();
  await (style === 'bulk' ? writeBulk : writePerMessage)(socket, message, n);
  socket.end();
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.destroy();
  if (Number(reply) !== n * message.length) {
    throw new Error(
      `server counted ${reply} bytes, expected ${n * message.length}`,
    );
  }
  return { seconds, messageBytes: message.length };
}

async function write(
  port: number,
  n: number,
  size: number,
  style: string,
): Promise<void> {
  // A limit is what the machine can do: one unmeasured run first, so that neither side's JIT
  // warm-up is part of it.
  await timedRun(port, n, size, style);
  const { seconds, messageBytes } = await timedRun(port, n, size, style);
  process.stdout.write(
    `${JSON.stringify({
      mode: 'raw',
      style,
      n,
      size,
      message_bytes: messageBytes,
      seconds: Number(seconds.toFixed(4)),
      msgs_per_sec: Number((n / seconds).toFixed(1)),
      mb_per_sec: Number(((n * messageBytes) / seconds / 1e6).toFixed(1)),
    })}\n`,
  );
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string' },
    n: { type: 'string', default: '20000' },
    size: { type: 'string', default: '100' },
    style: { type: 'string', default: 'per-message' },
  },
});
if (positionals[0] === 'server') {
  serve();
} else if (positionals[0] === 'writer') {
  await write(
    Number(values.port),
    Number(values.n),
    Number(values.size),
    values.style,
  );
} else {
  process.stderr.write(
    'usage: raw-socket.js server | writer --port P [--n N] [--size S] [--style per-message|bulk]\n',
  );
  process.exit(2);
}
