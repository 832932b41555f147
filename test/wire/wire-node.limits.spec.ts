import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_WIRE_LIMITS,
  HttpRequestDecoder,
  Upid,
  type WireError,
} from '../../lib/wire/index.js';
import { libprocessMessage } from './wire-fixtures.js';
import {
  occurrences,
  rawClient,
  startSilentServer,
  wireTestScope,
} from './wire-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

const { node, onCleanup } = wireTestScope();

describe('WireNode limits and backpressure', () => {
  it('queues up to maxQueuedBytesPerPeer for a peer that does not read, then fails sends', async () => {
    const silent = await startSilentServer();
    onCleanup(() => silent.close());
    const limit = 1024 * 1024;
    const { node: sender, errors } = await node(
      {},
      { limits: { maxQueuedBytesPerPeer: limit } },
    );
    const to = new Upid('echo', '127.0.0.1', silent.port);
    const body = Buffer.alloc(1000, 1);
    const total = 20_000; // 20 MB offered, far beyond the limit and the kernel's buffers
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < total; i++) sender.send(sender.pid('s'), to, 'm', body);
    // Wait until the kernel buffers are full and the rest is queued or refused.
    await waitFor(() => silent.sockets.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 100; i++) sender.send(sender.pid('s'), to, 'm', body);
    const dropped = errors.length;
    expect(dropped).toBeGreaterThan(total / 2);
    expect(errors.every((e) => (e as WireError).code === 'EQUEUEFULL')).toBe(
      true,
    );
    expect((errors[0] as WireError).address).toBe(`127.0.0.1:${silent.port}`);
    expect(errors[0].message).toContain('not reading');
    // Memory stays bounded by the limit (plus slab slack), not by what was offered.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * limit);

    // Once the peer reads, every accepted message arrives intact and in order.
    let delivered = 0;
    const parser = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
      onRequest: () => delivered++,
      onError: (error) => {
        throw error;
      },
    });
    silent.sockets[0].on('data', (chunk: Buffer) => parser.execute(chunk));
    silent.sockets[0].resume();
    await waitFor(() => delivered === total + 100 - dropped);
  });

  it('answers an oversized head with 431 and closes only that connection', async () => {
    const {
      node: server,
      received,
      errors,
    } = await node({}, { limits: { maxHeaderBytes: 512 } });
    const good = await rawClient(server.address.port);
    const bad = await rawClient(server.address.port);
    bad.socket.write(`GET / HTTP/1.1\r\nX: ${'a'.repeat(1000)}\r\n\r\n`);
    await bad.closed;
    expect(bad.text()).toBe(
      'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    good.socket.write(libprocessMessage('count', 'x'));
    await waitFor(() => received.length === 1);
    await waitFor(() => occurrences(good.text(), '202 Accepted') === 1);
    expect(good.socket.destroyed).toBe(false);
    expect(errors.map((e) => (e as WireError).code)).toEqual(['ELIMIT']);
    good.socket.destroy();
  });

  it('answers an oversized body with 413 and malformed framing with 400', async () => {
    const { node: server, received } = await node(
      {},
      { limits: { maxBodyBytes: 10 } },
    );
    const big = await rawClient(server.address.port);
    big.socket.write(
      'POST /echo/m HTTP/1.0\r\nContent-Length: 11\r\nLibprocess-From: s@1.1.1.1:1\r\n\r\n',
    );
    await big.closed;
    expect(big.text()).toContain('HTTP/1.1 413 Payload Too Large\r\n');
    const bad = await rawClient(server.address.port);
    bad.socket.write(
      Buffer.concat([
        libprocessMessage('first'),
        Buffer.from('GARBAGE\r\n\r\n'),
        libprocessMessage('never'),
      ]),
    );
    await bad.closed;
    expect(bad.text()).toBe(
      'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(received.map((m) => m.name)).toEqual(['first']);
  });

  it('answers 400 to a message with an unparsable sender and keeps the connection', async () => {
    const { node: server, received, errors } = await node();
    const client = await rawClient(server.address.port);
    client.socket.write(
      'POST /echo/m HTTP/1.0\r\nContent-Length: 0\r\nLibprocess-From: not-a-pid\r\n\r\n' +
        libprocessMessage('ok'),
    );
    await waitFor(() => occurrences(client.text(), 'HTTP/1.1 ') === 2);
    expect(client.text()).toBe(
      'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n',
    );
    expect(received.map((m) => m.name)).toEqual(['ok']);
    expect(errors.map((e) => (e as WireError).code)).toEqual(['EBADSENDER']);
    client.socket.destroy();
  });

  it('delivers every message of a peer that closes right after writing (FIN)', async () => {
    const { node: server, received } = await node();
    const client = await rawClient(server.address.port);
    const burst = Buffer.concat(
      Array.from({ length: 2000 }, (_, i) =>
        libprocessMessage('count', `${i}`),
      ),
    );
    client.socket.end(burst);
    await waitFor(() => received.length === 2000);
    expect(received[1999].body.toString()).toBe('1999');
  });

  it('stays healthy when peers reset their connections mid-stream', async () => {
    const { node: server, received } = await node();
    for (let i = 0; i < 20; i++) {
      const client = await rawClient(server.address.port);
      const burst = Buffer.concat(
        Array.from({ length: 200 }, () => libprocessMessage('count', 'x')),
      );
      client.socket.write(burst.subarray(0, burst.length - 7));
      client.socket.resetAndDestroy();
    }
    const last = await rawClient(server.address.port);
    last.socket.write(libprocessMessage('final'));
    await waitFor(() => received.some((m) => m.name === 'final'));
    // Only complete messages count: the truncated last one of each burst never arrives.
    expect(
      received.filter((m) => m.name === 'count').length,
    ).toBeLessThanOrEqual(20 * 199);
    last.socket.destroy();
  });

  it('closes an HTTP/1.0 connection after a non-message response unless kept alive', async () => {
    const { node: server } = await node({
      onHttpRequest: () => ({ status: 200, body: 'hi' }),
    });
    const plain = await rawClient(server.address.port);
    plain.socket.write('GET /x HTTP/1.0\r\n\r\n');
    await plain.closed;
    expect(plain.text()).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
    );
    const kept = await rawClient(server.address.port);
    kept.socket.write(
      'GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD /x HTTP/1.1\r\n\r\n',
    );
    await waitFor(() => occurrences(kept.text(), 'HTTP/1.1 200') === 2);
    expect(kept.text()).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\nhi' +
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n',
    );
    kept.socket.destroy();
  });

  it('answers 500 when a handler throws, and reports it', async () => {
    const { node: server, errors } = await node({
      onMessage: () => {
        throw new Error('boom');
      },
      onHttpRequest: () => Promise.reject(new Error('bang')),
    });
    const client = await rawClient(server.address.port);
    client.socket.write(
      Buffer.concat([
        libprocessMessage('m'),
        Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      ]),
    );
    await waitFor(
      () => occurrences(client.text(), '500 Internal Server Error') === 2,
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('boom'),
      expect.stringContaining('bang'),
    ]);
    client.socket.destroy();
  });
});
