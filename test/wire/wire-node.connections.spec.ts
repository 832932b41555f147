import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_WIRE_LIMITS,
  encodeMessage,
  Upid,
  WireNode,
  type WireError,
} from '../../lib/wire/index.js';
import { PeerConnection } from '../../lib/wire/peer-connection.js';
import { MAX_CACHED_MESSAGE_HEADS } from '../../lib/wire/wire.constants.js';
import { ACCEPTED, dialectMessage } from './wire-fixtures.js';
import {
  occurrences,
  rawClient,
  startNode,
  startSilentServer,
  wireTestScope,
} from './wire-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

const { node, onCleanup } = wireTestScope();

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';

const message = (to: string, name: string, body = '') =>
  dialectMessage(
    'libprocess',
    's@127.0.0.1:1',
    `${to}@127.0.0.1:2`,
    name,
    Buffer.from(body),
  ).bytes;

/**
 * A host that never answers a SYN: a listener with a backlog of 1 in a stopped child process,
 * its accept queue filled, so the kernel drops further SYNs (as for a vanished host).
 */
async function unresponsiveHost(): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('node:net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         console.log(s.address().port);
         process.kill(process.pid, 'SIGSTOP');
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  const port = Number(
    await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    ),
  );
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
  }
  onCleanup(() => fillers.forEach((socket) => socket.destroy()));
  await waitFor(() => fillers.filter((s) => !s.connecting).length >= 2);
  return port;
}

describe('WireNode inbound responses', () => {
  it('delivers every coalesced 202/404 in request order, across reads and bursts', async () => {
    const delivered: string[] = [];
    const a = await node({
      onMessage: (_from, to, _name, body) => {
        if (to !== 'echo') return false;
        delivered.push(body.toString());
        return true;
      },
    });
    const client = await rawClient(a.node.address.port);
    let expected = '';
    // Single-message writes (one read each, as C++ libprocess sends) and one burst of 1,000
    // (over 16 KiB of responses at once), 404s interleaved.
    for (let i = 0; i < 300; i++) {
      const known = i % 7 !== 0;
      client.socket.write(message(known ? 'echo' : 'nobody', 'm', `${i}`));
      expected += known ? ACCEPTED : NOT_FOUND;
    }
    const burst: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      const known = i % 5 !== 0;
      burst.push(message(known ? 'echo' : 'nobody', 'b', `${i}`));
      expected += known ? ACCEPTED : NOT_FOUND;
    }
    client.socket.write(Buffer.concat(burst));
    // Then 3,000 202s in a row: longer runs than one prebuilt block of 202s holds.
    const run: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      run.push(message('echo', 'c', `c${i}`));
      expected += ACCEPTED;
    }
    client.socket.write(Buffer.concat(run));
    await waitFor(() => occurrences(client.text(), '\r\n\r\n') === 4300);
    expect(client.text()).toBe(expected);
    expect(delivered).toEqual([
      ...Array.from({ length: 300 }, (_, i) => `${i}`).filter(
        (_, i) => i % 7 !== 0,
      ),
      ...Array.from({ length: 1000 }, (_, i) => `${i}`).filter(
        (_, i) => i % 5 !== 0,
      ),
      ...Array.from({ length: 3000 }, (_, i) => `c${i}`),
    ]);
    client.socket.destroy();
  });

  it('writes message responses before the HTTP responses that follow them', async () => {
    const a = await node({
      onHttpRequest: async () => ({ status: 200, body: 'ok' }),
    });
    const client = await rawClient(a.node.address.port);
    client.socket.write(
      Buffer.concat([
        message('echo', 'm', '1'),
        Buffer.from('GET /health HTTP/1.1\r\n\r\n'),
        message('echo', 'm', '2'),
      ]),
    );
    await waitFor(() => occurrences(client.text(), 'HTTP/1.1 ') === 3);
    expect(client.text()).toBe(
      `${ACCEPTED}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok${ACCEPTED}`,
    );
    client.socket.destroy();
  });

  it('answers every request already read when the node closes, then ends the connection', async () => {
    let closing: Promise<void> | undefined;
    const started = await startNode({
      onMessage: (_from, _to, name) => {
        // close() while this read's responses are still waiting for their coalesced write.
        if (name === 'first') closing = started.node.close();
        return true;
      },
    });
    const client = await rawClient(started.node.address.port);
    client.socket.write(
      Buffer.concat([message('echo', 'first'), message('echo', 'second')]),
    );
    await client.closed;
    await closing;
    // Both messages were read before the close: both are answered, then the FIN.
    expect(client.text()).toBe(ACCEPTED + ACCEPTED);
  });

  it('answers Expect: 100-continue before the body is sent', async () => {
    const a = await node({
      onHttpRequest: (request) => ({
        status: 200,
        body: `got ${request.body.toString()}`,
      }),
    });
    const client = await rawClient(a.node.address.port);
    client.socket.write(
      'POST /upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
    );
    await waitFor(() => client.text().length > 0);
    expect(client.text()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    client.socket.write('hello');
    await waitFor(() => client.text().endsWith('got hello'));
    expect(client.text()).toBe(
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\ngot hello',
    );
    client.socket.destroy();
  });

  it('answers an oversized Expect: 100-continue request 413 without a 100', async () => {
    const a = await node({}, { limits: { maxBodyBytes: 10 } });
    const client = await rawClient(a.node.address.port);
    client.socket.write(
      'POST /upload HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n',
    );
    await client.closed;
    expect(client.text()).toBe(
      'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
  });
});

describe('WireNode outbound connections', () => {
  it('gives up connecting after connectTimeout: exited for links, ETIMEDOUT for sends', async () => {
    const port = await unresponsiveHost();
    const b = await node({}, { connectTimeout: 300 });
    const events: string[] = [];
    b.node.on('linked', (from) => events.push(`linked ${from.id}`));
    b.node.on('exited', (from) => events.push(`exited ${from.id}`));
    const to = new Upid('echo', '127.0.0.1', port);
    b.node.link(b.node.pid('x'), to);
    b.node.send(b.node.pid('x'), to, 'ping', 'hi');
    await waitFor(() => events.length === 1 && b.errors.length === 1);
    expect(events).toEqual(['exited x']);
    expect(b.errors[0]).toMatchObject({
      name: 'WireError',
      code: 'ETIMEDOUT',
      address: `127.0.0.1:${port}`,
    });
    expect(b.errors[0].message).toContain('within 300 ms');
    expect(b.node.linksOf(b.node.pid('x'))).toEqual([]);
  });

  it('refuses a connectTimeout no timer can hold', () => {
    for (const connectTimeout of [0, -1, NaN, 2 ** 31]) {
      expect(
        () => new WireNode({ connectTimeout }, { onMessage: () => true }),
      ).toThrow(RangeError);
    }
  });
});

describe('PeerConnection head cache', () => {
  it('writes the exact bytes of encodeMessage for many senders and names, bounded', async () => {
    const silent = await startSilentServer();
    onCleanup(() => silent.close());
    const address = `127.0.0.1:${silent.port}`;
    const closed: Array<Error | undefined> = [];
    const connection = new PeerConnection(
      address,
      '127.0.0.1',
      silent.port,
      DEFAULT_WIRE_LIMITS.maxQueuedBytesPerPeer,
      DEFAULT_CONNECT_TIMEOUT,
      {
        onPeerConnect: () => undefined,
        onPeerClose: (_, error) => closed.push(error),
      },
    );
    onCleanup(() => connection.destroy());
    await waitFor(() => silent.sockets.length === 1);
    const received: Buffer[] = [];
    silent.sockets[0].on('data', (chunk: Buffer) => received.push(chunk));
    silent.sockets[0].resume();

    const senders = [
      Upid.parse('a@127.0.0.1:1'),
      Upid.parse('b@[::1]:2'),
      Upid.parse('a@127.0.0.1:1'), // equal to the first, another object
    ];
    const processes = ['echo', 'master'].map(
      (id) => new Upid(id, '127.0.0.1', silent.port),
    );
    const bodies = [
      Buffer.alloc(0),
      Buffer.from('x'),
      Buffer.alloc(255, 1),
      Buffer.alloc(4096, 2),
      Buffer.alloc(40_000, 3), // written outside the slabs
    ];
    const expected: Buffer[] = [];
    // 3 x 2 x 150 heads, revisited: more than the cache holds, and repeats after each clear.
    for (let i = 0; i < 3000; i++) {
      const from = senders[i % 3];
      const to = processes[(i >> 1) % 2];
      const name = `name.${(i * 7) % 150}`;
      const body = bodies[i % 17 === 0 ? 4 : i % 4];
      expect(connection.send(from, to, name, body)).toBe(true);
      expected.push(encodeMessage(from, to, name, body));
      expect(connection.cachedHeads).toBeLessThanOrEqual(
        MAX_CACHED_MESSAGE_HEADS,
      );
    }
    const total = expected.reduce((sum, b) => sum + b.length, 0);
    await waitFor(
      () => received.reduce((sum, b) => sum + b.length, 0) >= total,
    );
    expect(Buffer.concat(received).equals(Buffer.concat(expected))).toBe(true);
    expect(closed).toEqual([]);
  });
});

describe('PeerConnection slabs', () => {
  it('refills a slab the kernel took whole, never one a pending write still holds', async () => {
    const silent = await startSilentServer();
    onCleanup(() => silent.close());
    const connection = new PeerConnection(
      `127.0.0.1:${silent.port}`,
      '127.0.0.1',
      silent.port,
      DEFAULT_WIRE_LIMITS.maxQueuedBytesPerPeer,
      DEFAULT_CONNECT_TIMEOUT,
      { onPeerConnect: () => undefined, onPeerClose: () => undefined },
    );
    onCleanup(() => connection.destroy());
    await waitFor(() => connection.connected && silent.sockets.length === 1);
    const peer = silent.sockets[0];
    const received: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => received.push(chunk));
    const from = Upid.parse('sender@127.0.0.1:1');
    const to = new Upid('echo', '127.0.0.1', silent.port);
    const expected: Buffer[] = [];
    // Each round is a burst of several slabs with distinct bodies, flushed on its own tick.
    const round = async (r: number) => {
      for (let i = 0; i < 700; i++) {
        const body = Buffer.from(`${r}:${i}:${'z'.repeat(i % 150)}`);
        expect(connection.send(from, to, 'count', body)).toBe(true);
        expected.push(encodeMessage(from, to, 'count', body));
      }
      await new Promise((resolve) => setImmediate(resolve));
    };
    // The peer does not read: the kernel buffers fill, Node queues the slabs (they must stay
    // intact while queued); then it reads, and the kernel takes each flush whole.
    let r = 0;
    while (connection.queuedBytes < 1024 * 1024) await round(r++);
    peer.resume();
    for (let more = r + 30; r < more;) await round(r++);
    const total = expected.reduce((sum, b) => sum + b.length, 0);
    await waitFor(
      () => received.reduce((sum, b) => sum + b.length, 0) >= total,
    );
    expect(Buffer.concat(received).equals(Buffer.concat(expected))).toBe(true);
  });
});

describe('WireNode sends', () => {
  it('delivers identical messages whatever the send order of senders and names', async () => {
    const a = await node();
    const b = await node();
    const to = a.node.pid('echo');
    const names = ['ping', 'count', 'report'];
    for (let i = 0; i < 600; i++) {
      b.node.send(
        b.node.pid(`p${i % 4}`),
        to,
        names[i % 3],
        i % 2 === 0 ? '' : `${i}`,
      );
    }
    await waitFor(() => a.received.length === 600);
    expect(
      a.received.map((m) => `${m.from.id} ${m.name} ${m.body.toString()}`),
    ).toEqual(
      Array.from(
        { length: 600 },
        (_, i) => `p${i % 4} ${names[i % 3]} ${i % 2 === 0 ? '' : i}`,
      ),
    );
    expect(b.errors as WireError[]).toEqual([]);
  });
});
