import { describe, expect, it, jest } from '@jest/globals';

import type { MessageHold, WireError } from '../../lib/wire/index.js';
import { ACCEPTED, libprocessMessage } from './wire-fixtures.js';
import {
  rawClient,
  retainedBytes,
  wireTestScope,
  writeAll,
} from './wire-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

// Attacks from raw sockets on loopback (issue 11): each asserts the memory the node retains
// against the bytes sent, and that a fresh client is still served afterwards.

const { node } = wireTestScope();

const KiB = 1024;
const MiB = 1024 * KiB;

/** A new client's message gets its 202: the node still serves. */
async function servesFreshClient(port: number): Promise<void> {
  const client = await rawClient(port);
  client.socket.write(libprocessMessage('fresh'));
  await waitFor(() => client.text() === ACCEPTED, 5000, 'a fresh 202');
  client.socket.destroy();
}

const codes = (errors: Error[]) => errors.map((e) => (e as WireError).code);

describe('WireNode under hostile input: memory proportional to bytes held', () => {
  it('holds a chunked body sent as 1-byte chunks at about its own size', async () => {
    const { node: server, received } = await node();
    const port = server.address.port;
    const client = await rawClient(port);
    const before = retainedBytes();
    client.socket.write(
      'POST /echo/big HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const body = 512 * KiB;
    const block = Buffer.from('1\r\nx\r\n'.repeat(8 * KiB), 'latin1');
    for (let sent = 0; sent < body; sent += 8 * KiB) {
      await writeAll(client.socket, block);
    }
    await waitFor(
      () => server.inboundStats.bufferedBytes >= body,
      10_000,
      'the body to arrive',
    );
    // 3 MiB of wire bytes for 512 KiB of body: one growing buffer, not one view per chunk.
    expect(retainedBytes() - before).toBeLessThan(3 * body + MiB);
    client.socket.write('0\r\n\r\n');
    await waitFor(() => received.length === 1);
    expect(received[0].body.equals(Buffer.alloc(body, 'x'))).toBe(true);
    await servesFreshClient(port);
    client.socket.destroy();
  });

  it('holds request heads trickled one byte per read at about their size', async () => {
    const { node: server } = await node();
    const port = server.address.port;
    const clients = await Promise.all(
      Array.from({ length: 10 }, () => rawClient(port)),
    );
    const head = `GET /slow HTTP/1.1\r\nX: ${'a'.repeat(6000)}`;
    const before = retainedBytes();
    for (let i = 0; i < head.length; i++) {
      for (const client of clients) client.socket.write(head[i]);
      // Let the node read each byte on its own.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const pending = clients.length * head.length;
    await waitFor(
      () => server.inboundStats.bufferedBytes >= pending,
      10_000,
      'the heads to arrive',
    );
    expect(retainedBytes() - before).toBeLessThan(4 * pending + MiB);
    // The heads are still good requests: completed, they are answered.
    for (const client of clients) client.socket.write('\r\n\r\n');
    await waitFor(() =>
      clients.every((c) => c.text().startsWith('HTTP/1.1 404 ')),
    );
    await servesFreshClient(port);
    for (const client of clients) client.socket.destroy();
  });

  it('allocates a body as it arrives, not as its Content-Length announces', async () => {
    const { node: server } = await node();
    const port = server.address.port;
    const clients = await Promise.all(
      Array.from({ length: 50 }, () => rawClient(port)),
    );
    const before = retainedBytes();
    for (const client of clients) {
      client.socket.write(
        `POST /echo/big HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nContent-Length: ${100 * MiB}\r\n\r\n0123456789`,
      );
    }
    await waitFor(() => server.inboundStats.bufferedBytes >= 50 * 10);
    // 5,000 MiB announced, 500 bytes sent.
    expect(retainedBytes() - before).toBeLessThan(50 * 32 * KiB + MiB);
    await servesFreshClient(port);
    for (const client of clients) client.socket.destroy();
  });

  it('stops reading a client that does not read its responses, and serves it all once it does', async () => {
    const response = 'r'.repeat(64 * KiB);
    let served = 0;
    const { node: server } = await node(
      {
        onHttpRequest: () => {
          served++;
          return { status: 200, body: response };
        },
      },
      { limits: { maxUnsentResponseBytes: 256 * KiB } },
    );
    const port = server.address.port;
    const client = await rawClient(port);
    client.socket.pause();
    const requests = 2000; // 128 MiB of responses
    client.socket.write('GET /big HTTP/1.1\r\n\r\n'.repeat(requests));
    await waitFor(() => server.inboundStats.notReading === 1);
    const before = retainedBytes();
    expect(served).toBeLessThan(requests / 4);
    await servesFreshClient(port);
    // Held: the unsent responses up to the limit and the kernel's buffers, not 128 MiB.
    expect(retainedBytes() - before).toBeLessThan(8 * MiB);
    let bytes = 0;
    client.socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    client.socket.resume();
    const each = `HTTP/1.1 200 OK\r\nContent-Length: ${response.length}\r\n\r\n${response}`;
    await waitFor(() => bytes === requests * each.length, 20_000);
    expect(served).toBe(requests);
    client.socket.destroy();
  });

  it('stops reading a client that pipelines messages and never reads its 202s, and releases all when it closes', async () => {
    let delivered = 0;
    const limit = 256 * KiB;
    const { node: server } = await node(
      { onMessage: () => ++delivered > 0 },
      { limits: { maxUnsentResponseBytes: limit } },
    );
    const port = server.address.port;
    const client = await rawClient(port);
    client.socket.pause(); // never reads a response
    // The smallest message: each one owes a 44-byte 202 for 55 bytes sent.
    const each =
      'POST /echo/m HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n';
    const block = Buffer.from(each.repeat(10_000), 'latin1');
    const most = 128 * MiB;
    const before = retainedBytes();
    let sent = 0;
    let writing = true;
    const writer = (async () => {
      while (writing && sent < most) {
        sent += block.length;
        if (!client.socket.write(block)) {
          await new Promise((resolve) => {
            client.socket.once('drain', resolve);
            client.socket.once('close', resolve);
          });
        }
      }
    })();
    // Stopped for good: a fresh client's message is answered while not one more message
    // of the stuck client is delivered (were its socket read, its queued bytes would be).
    const stuck = async (): Promise<boolean> => {
      if (server.inboundStats.notReading !== 1) return false;
      const deliveredBefore = delivered;
      await servesFreshClient(port);
      return delivered === deliveredBefore + 1;
    };
    await waitFor(stuck, 30_000, 'the node to stop reading the client');
    const held = retainedBytes() - before;
    // Its writes blocked long before the end: the node stopped reading it.
    expect(sent).toBeLessThan(most);
    // ~0.8 bytes of 202 owed per byte sent, but only the limit (plus one read and the kernel's
    // buffers, not in the heap) is held.
    expect(delivered * 44).toBeGreaterThan(4 * limit);
    expect(held).toBeLessThan(4 * MiB);
    writing = false;
    client.socket.destroy();
    await writer;
    await waitFor(() => server.inboundStats.connections === 0);
    expect(server.inboundStats).toMatchObject({
      bufferedBytes: 0,
      notReading: 0,
    });
    expect(retainedBytes() - before).toBeLessThan(MiB);
    await servesFreshClient(port);
  });

  it('stops reading a client whose messages wait in a slow queue, and delivers them all once it drains', async () => {
    // The handler queues every message, as the runtime does for a busy process.
    const queue: Array<{ body: Buffer; hold: MessageHold }> = [];
    const limit = 256 * KiB;
    const { node: server, errors } = await node(
      {
        onMessage: (_from, _to, _name, body, hold) => {
          hold.retain();
          queue.push({ body, hold });
          return true;
        },
      },
      { limits: { maxQueuedInboundBytes: limit } },
    );
    const port = server.address.port;
    const client = await rawClient(port);
    const count = 200_000; // 12 MiB of messages, each numbered in its body
    const messages = Array.from({ length: count }, (_, i) =>
      libprocessMessage('m', String(i).padStart(6, '0')),
    );
    const before = retainedBytes();
    let sent = 0;
    let writing = true;
    const writer = (async () => {
      while (writing && sent < count) {
        const block = Buffer.concat(messages.slice(sent, sent + 1000));
        sent += 1000;
        await writeAll(client.socket, block);
      }
    })();
    await waitFor(
      () => server.inboundStats.notReading === 1,
      20_000,
      'the node to stop reading the client',
    );
    await servesFreshClient(port);
    // What the queued messages keep alive is counted and stays near the limit: one read more.
    const { queuedBytes } = server.inboundStats;
    expect(queuedBytes).toBeGreaterThan(limit);
    expect(queuedBytes).toBeLessThan(limit + 256 * KiB);
    expect(retainedBytes() - before).toBeLessThan(4 * MiB);
    expect(sent).toBeLessThan(count);
    // Said once, not per read.
    expect(codes(errors)).toEqual(['EQUEUEDINBOUND']);
    expect(errors[0].message).toMatch(
      /^Stopped reading 127\.0\.0\.1:\d+ for now: its messages and requests waiting to be handled keep \d+ bytes alive \(limits\.maxQueuedInboundBytes 262144\)/,
    );
    // The queue drains: reading restarts, and every message arrives, in order.
    const taken: string[] = [];
    await waitFor(
      () => {
        for (const { body, hold } of queue.splice(0)) {
          taken.push(body.toString());
          hold.release();
        }
        return taken.length === count + 1;
      },
      30_000,
      'every message',
    );
    writing = false;
    await writer;
    expect(taken.filter((body) => body !== '')).toEqual(
      Array.from({ length: count }, (_, i) => String(i).padStart(6, '0')),
    );
    expect(server.inboundStats).toMatchObject({
      queuedBytes: 0,
      notReading: 0,
    });
    client.socket.destroy();
  });

  it('counts the whole read a queued message keeps alive, not only its own bytes', async () => {
    // One message of each read is queued, the rest of the read is answered 404 at once: each
    // queued body pins its whole read buffer.
    const held: MessageHold[] = [];
    const limit = 512 * KiB;
    const { node: server } = await node(
      {
        onMessage: (_from, to, _name, _body, hold) => {
          if (to !== 'slow') return false;
          hold.retain();
          held.push(hold);
          return true;
        },
      },
      { limits: { maxQueuedInboundBytes: limit } },
    );
    const port = server.address.port;
    const client = await rawClient(port);
    client.socket.on('data', () => undefined);
    const padding = Buffer.from(
      'POST /none/m HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n'.repeat(
        500,
      ),
      'latin1',
    );
    const queued = Buffer.from(
      'POST /slow/m HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nContent-Length: 1\r\n\r\nx',
      'latin1',
    );
    const before = retainedBytes();
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await writeAll(client.socket, Buffer.concat([queued, padding]));
        // One write per read, so that each read holds one queued message.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await waitFor(
      () => server.inboundStats.notReading === 1,
      20_000,
      'the node to stop reading the client',
    );
    // 1-byte bodies, but each keeps a read of ~28 KiB alive: the count stops at the limit
    // (each message counted as 1 byte, ~15,000 reads would be kept).
    expect(held.length).toBeLessThan(limit / padding.length + 10);
    expect(retainedBytes() - before).toBeLessThan(limit + 2 * MiB);
    writing = false;
    for (const hold of held.splice(0)) hold.release();
    await waitFor(() => server.inboundStats.notReading === 0);
    expect(server.inboundStats.queuedBytes).toBe(0);
    client.socket.destroy();
    await writer.catch(() => undefined);
  });

  it('stops reading a client whose HTTP requests wait for a slow handler, and answers them all in order', async () => {
    const pending: Array<() => void> = [];
    const limit = 512 * KiB;
    const { node: server } = await node(
      {
        onHttpRequest: (request) =>
          new Promise((resolve) =>
            pending.push(() => resolve({ status: 200, body: request.path })),
          ),
      },
      { limits: { maxQueuedInboundBytes: limit } },
    );
    const port = server.address.port;
    const client = await rawClient(port);
    // 16 KiB bodies, which each pending request keeps alive.
    const body = 'b'.repeat(16 * KiB);
    const request = (i: number) =>
      `POST /slow/${i} HTTP/1.1\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const count = 2000; // 32 MiB of bodies
    const before = retainedBytes();
    let sent = 0;
    const writer = (async () => {
      while (sent < count) await writeAll(client.socket, request(sent++));
    })();
    await waitFor(
      () => server.inboundStats.notReading === 1,
      20_000,
      'the node to stop reading the client',
    );
    expect(pending.length).toBeLessThan(limit / body.length + 10);
    expect(server.inboundStats.queuedBytes).toBeGreaterThan(limit);
    expect(retainedBytes() - before).toBeLessThan(limit + 4 * MiB);
    await servesFreshClient(port);
    // Answered as they resolve: reading restarts and every request is answered, in order.
    await waitFor(
      () => {
        for (const resolve of pending.splice(0)) resolve();
        return client.text().split('HTTP/1.1 200 OK').length === count + 1;
      },
      30_000,
      'every response',
    );
    await writer;
    const paths = client.text().match(/\/slow\/\d+/g);
    expect(paths).toEqual(
      Array.from({ length: count }, (_, i) => `/slow/${i}`),
    );
    expect(server.inboundStats).toMatchObject({
      queuedBytes: 0,
      notReading: 0,
    });
    client.socket.destroy();
  });

  it('keeps all inbound connections within the node-wide budget, pausing the largest', async () => {
    const { node: server, received } = await node(
      {},
      { limits: { maxInboundBytes: MiB } },
    );
    const port = server.address.port;
    const body = Buffer.alloc(MiB, 'b');
    const senders = await Promise.all(
      Array.from({ length: 4 }, () => rawClient(port)),
    );
    const heads = senders.map((_, i) =>
      Buffer.from(
        `POST /echo/m${i} HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nContent-Length: ${body.length}\r\n\r\n`,
      ),
    );
    // Nearly complete requests, 3.6 MiB together: past the budget.
    for (const [i, sender] of senders.entries()) {
      sender.socket.write(heads[i]);
      sender.socket.write(body.subarray(0, 900 * KiB));
    }
    await waitFor(() => server.inboundStats.budgetPauses > 0);
    // Connections that hold nothing between reads are not stopped.
    await servesFreshClient(port);
    for (const sender of senders) sender.socket.write(body.subarray(900 * KiB));
    // Nothing legitimate is refused: every request completes as the budget drains.
    await waitFor(() => received.length === 5, 20_000);
    expect(received.map((m) => m.name).sort()).toEqual([
      'fresh',
      'm0',
      'm1',
      'm2',
      'm3',
    ]);
    expect(
      received.every((m) => m.name === 'fresh' || m.body.equals(body)),
    ).toBe(true);
    for (const sender of senders) sender.socket.destroy();
  });
});

describe('WireNode under hostile input: timeouts, connections, framing, logs', () => {
  it('closes a connection that stalls inside a request head, never an idle one', async () => {
    const { node: server, errors } = await node(
      {},
      { limits: { headerTimeoutMs: 300 } },
    );
    const port = server.address.port;
    const idle = await rawClient(port);
    const between = await rawClient(port);
    between.socket.write(libprocessMessage('first'));
    await waitFor(() => between.text() === ACCEPTED);
    const slow = await rawClient(port);
    slow.socket.write('POST /echo/m HTTP/1.1\r\nLibprocess-From: s@1');
    await slow.closed;
    expect(slow.text()).toBe(
      'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(codes(errors)).toEqual(['EHEADERTIMEOUT']);
    // Open since before the slow one: the same scan saw them, and left them open.
    idle.socket.write(libprocessMessage('idle'));
    between.socket.write(libprocessMessage('between'));
    await waitFor(() => idle.text() === ACCEPTED);
    await waitFor(() => between.text() === ACCEPTED + ACCEPTED);
    idle.socket.destroy();
    between.socket.destroy();
  });

  it('closes a connection whose request body stalls and releases what it held', async () => {
    const {
      node: server,
      errors,
      received,
    } = await node({}, { limits: { bodyTimeoutMs: 1000 } });
    const port = server.address.port;
    const idle = await rawClient(port);
    const before = retainedBytes();
    const sent = 4 * MiB;
    // A Content-Length body and a chunked one, each stopping short of its end.
    const stalled = await rawClient(port);
    await writeAll(
      stalled.socket,
      `POST /echo/big HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nContent-Length: ${2 * sent}\r\n\r\n`,
    );
    await writeAll(stalled.socket, Buffer.alloc(sent, 'b'));
    const chunked = await rawClient(port);
    await writeAll(
      chunked.socket,
      `POST /echo/c HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n${(2 * sent).toString(16)}\r\n`,
    );
    await writeAll(chunked.socket, Buffer.alloc(sent, 'c'));
    await waitFor(
      () => server.inboundStats.bufferedBytes >= 2 * sent,
      10_000,
      'the bodies to arrive',
    );
    await Promise.all([stalled.closed, chunked.closed]);
    const timeout =
      'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
    expect(stalled.text()).toBe(timeout);
    expect(chunked.text()).toBe(timeout);
    expect(codes(errors)).toEqual(['EBODYTIMEOUT', 'EBODYTIMEOUT']);
    expect(errors[0].message).toContain(
      'request body not completed within 1000 ms',
    );
    await waitFor(() => server.inboundStats.connections === 1);
    // Released: the 8 MiB the two bodies held are gone with their connections.
    expect(server.inboundStats.bufferedBytes).toBe(0);
    expect(retainedBytes() - before).toBeLessThan(MiB);
    expect(received).toEqual([]);
    // The idle connection, open all along, was seen by the same scans and left open.
    idle.socket.write(libprocessMessage('idle'));
    await waitFor(() => idle.text() === ACCEPTED);
    await servesFreshClient(port);
    idle.socket.destroy();
  });

  it('refuses connections beyond maxConnections with one coalesced warning', async () => {
    const { node: server, errors } = await node(
      {},
      { limits: { maxConnections: 2 }, errorIntervalMs: 60_000 },
    );
    const port = server.address.port;
    const kept = [await rawClient(port), await rawClient(port)];
    await waitFor(() => server.inboundStats.connections === 2);
    for (let i = 0; i < 5; i++) {
      const refused = await rawClient(port);
      await refused.closed;
      expect(refused.text()).toBe('');
    }
    expect(codes(errors)).toEqual(['EMAXCONN']);
    kept[0].socket.destroy();
    await waitFor(() => server.inboundStats.connections === 1);
    await servesFreshClient(port);
    await server.close();
    // The summary of the four held back arrives at the latest when the node closes.
    expect(codes(errors)).toEqual(['EMAXCONN', 'EMAXCONN']);
    expect(errors.map((e) => (e as WireError).count)).toEqual([1, 4]);
    kept[1].socket.destroy();
  });

  it('answers 400 to header whitespace HTTP does not allow (VT, FF, bare CR)', async () => {
    const { node: server, received } = await node();
    for (const oddity of ['chunked\x0b', '\x0cchunked', 'chunked\rX']) {
      const client = await rawClient(server.address.port);
      client.socket.write(
        `POST /echo/m HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nTransfer-Encoding: ${oddity}\r\n\r\n1\r\nx\r\n0\r\n\r\n`,
      );
      await client.closed;
      expect(client.text()).toBe(
        'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      );
    }
    expect(received).toEqual([]);
  });

  it('coalesces repeated warnings per peer and quotes peer input truncated and escaped', async () => {
    const { node: server, errors } = await node({}, { errorIntervalMs: 2000 });
    const port = server.address.port;
    for (let i = 0; i < 30; i++) {
      const client = await rawClient(port);
      client.socket.write('GARBAGE\r\n\r\n');
      await client.closed;
    }
    await waitFor(
      () => errors.reduce((sum, e) => sum + (e as WireError).count, 0) === 30,
      5000,
      'the summary',
    );
    // One line at once, then summaries with a count instead of 29 more lines.
    expect(errors.length).toBeLessThanOrEqual(3);
    expect(errors[errors.length - 1].message).toMatch(
      /\(\d+ like this in the last 2 s\)$/,
    );

    const client = await rawClient(port);
    const forged = `x" \xe9 [ERROR] forged ${'y'.repeat(60_000)}`;
    client.socket.write(
      `POST /echo/m HTTP/1.0\r\nContent-Length: 0\r\nUser-Agent: libprocess/${forged}\r\n\r\n`,
      'latin1',
    );
    await waitFor(() => codes(errors).includes('EBADSENDER'));
    const line = errors.find((e) => (e as WireError).code === 'EBADSENDER')!;
    expect(line.message).toContain(
      '"libprocess/x\\" \\u00e9 [ERROR] forged yyy',
    );
    expect(line.message).toContain('... (60031 characters)');
    expect(line.message.length).toBeLessThan(400);
    client.socket.destroy();
  });
});

describe('WireNode outbound back-off', () => {
  it('fails sends to an address that refused fast, for a window that doubles; links still try', async () => {
    const { node: dead } = await node();
    const deadPid = dead.pid('echo');
    await dead.close(); // nothing listens there any more
    const { node: sender, errors } = await node();
    const from = sender.pid('s');
    const attempts = () =>
      errors.filter((e) =>
        e.message.startsWith(`Connection to ${deadPid.address} failed`),
      ).length;
    const fastFails = () =>
      errors.filter((e) => e.message.includes('is unreachable')).length;
    // Only the clock is faked: sockets, timers and ticks stay real, so every attempt is a real
    // ECONNREFUSED, and the windows are checked at their edges whatever the machine's load.
    jest.useFakeTimers({
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const sendAt = async (at: number) => {
        jest.setSystemTime(at);
        const before = errors.length;
        sender.send(from, deadPid, 'm', 'x');
        // Each send fails exactly once: fast (no socket) or through a real attempt.
        await waitFor(() => errors.length === before + 1);
      };
      const t0 = Date.now();
      await sendAt(t0);
      expect([attempts(), fastFails()]).toEqual([1, 0]);
      await sendAt(t0 + 99); // inside the first window (100 ms)
      expect([attempts(), fastFails()]).toEqual([1, 1]);
      await sendAt(t0 + 100); // the window is over: a new attempt, then 200 ms
      expect([attempts(), fastFails()]).toEqual([2, 1]);
      await sendAt(t0 + 299);
      expect([attempts(), fastFails()]).toEqual([2, 2]);
      await sendAt(t0 + 300); // then 400 ms
      expect([attempts(), fastFails()]).toEqual([3, 2]);
      await sendAt(t0 + 699);
      expect([attempts(), fastFails()]).toEqual([3, 3]);
      expect(codes(errors).every((code) => code === 'ECONNREFUSED')).toBe(true);
      // A link during the back-off still tries at once, and exits exactly once.
      const exited: string[] = [];
      sender.on('exited', (_from, to) => exited.push(to.toString()));
      sender.link(from, deadPid);
      await waitFor(() => exited.length === 1);
      expect(exited).toEqual([deadPid.toString()]);
    } finally {
      jest.useRealTimers();
    }
  });
});
