import { describe, expect, it } from '@jest/globals';

import { Upid, WireNode, type WireRequest } from '../../lib/wire/index.js';
import {
  occurrences,
  rawClient,
  startNode,
  startSilentServer,
  wireTestScope,
} from './wire-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

const { node } = wireTestScope();

describe('WireNode', () => {
  it('delivers messages in order over one persistent connection', async () => {
    const a = await node();
    const b = await node();
    const from = b.node.pid('sender');
    const to = a.node.pid('echo');
    for (let i = 0; i < 500; i++) b.node.send(from, to, 'count', `m${i}`);
    b.node.send(from, to, 'report');
    await waitFor(() => a.received.length === 501);
    expect(a.received.slice(0, 500).map((m) => m.body.toString())).toEqual(
      Array.from({ length: 500 }, (_, i) => `m${i}`),
    );
    expect(a.received[500]).toMatchObject({ to: 'echo', name: 'report' });
    expect(a.received[500].body).toHaveLength(0);
    expect(a.received.every((m) => m.from.equals(from))).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it('carries bodies larger than a write slab intact', async () => {
    const a = await node();
    const b = await node();
    const big = Buffer.alloc(200_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    b.node.send(b.node.pid('s'), a.node.pid('echo'), 'small', 'x');
    b.node.send(b.node.pid('s'), a.node.pid('echo'), 'big', big);
    b.node.send(b.node.pid('s'), a.node.pid('echo'), 'small', 'y');
    await waitFor(() => a.received.length === 3);
    expect(a.received.map((m) => m.name)).toEqual(['small', 'big', 'small']);
    expect(a.received[1].body.equals(big)).toBe(true);
  });

  it('answers 202 for a delivered message and 404 for an unknown process', async () => {
    const http: string[] = [];
    const a = await node({
      onMessage: (_from, to) => to === 'echo',
      onHttpRequest: (request) => void http.push(request.path),
    });
    const client = await rawClient(a.node.address.port);
    client.socket.write(
      'POST /echo/ping HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n' +
        'POST /nobody/ping HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n' +
        // A message to a process id that cannot be percent-decoded: no such process.
        'POST /%zz/ping HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n',
    );
    await waitFor(() => occurrences(client.text(), '\r\n\r\n') === 3);
    expect(client.text()).toBe(
      'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'.repeat(2),
    );
    expect(http).toEqual([]);
    expect(client.socket.destroyed).toBe(false);
    client.socket.destroy();
  });

  it('routes other requests to the HTTP hook and answers in request order', async () => {
    const seen: WireRequest[] = [];
    const a = await node({
      onHttpRequest: async (request) => {
        seen.push(request);
        if (request.path === '/slow') {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { status: 200, body: 'slow' };
        }
        if (request.path === '/fast')
          return { status: 200, headers: { 'X-A': '1' }, body: 'fast' };
        return undefined;
      },
    });
    const client = await rawClient(a.node.address.port);
    client.socket.write(
      'GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\nGET /none HTTP/1.1\r\n\r\n' +
        'POST /echo/m HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi',
    );
    await waitFor(() => occurrences(client.text(), 'HTTP/1.1 ') === 4);
    expect(client.text()).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow' +
        'HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 4\r\n\r\nfast' +
        'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n' +
        'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
    );
    expect(seen.map((r) => [r.method, r.path])).toEqual([
      ['GET', '/slow'],
      ['GET', '/fast'],
      ['GET', '/none'],
      ['POST', '/echo/m'],
    ]);
    expect(seen[3].body.toString()).toBe('hi');
    expect(a.received).toEqual([]);
    client.socket.destroy();
  });

  it('links: linked once connected, exited once when the remote closes', async () => {
    const a = await node();
    const b = await node();
    const events: string[] = [];
    b.node.on('linked', (from, to) =>
      events.push(`linked ${from.id}->${to.id}`),
    );
    b.node.on('exited', (from, to) =>
      events.push(`exited ${from.id}->${to.id}`),
    );
    const to = a.node.pid('echo');
    b.node.link(b.node.pid('x'), to);
    b.node.link(b.node.pid('y'), to);
    b.node.link(b.node.pid('x'), to);
    await waitFor(() => events.length === 2);
    expect(b.node.linksOf(b.node.pid('x'))).toEqual([to]);
    await a.node.close();
    await waitFor(() => events.length === 4);
    expect(b.node.linksOf(b.node.pid('x'))).toEqual([]);
    // A new link to the dead address exits in turn: a second 'linked' or 'exited' of the
    // first two links, had there been one, would have come before it.
    b.node.link(b.node.pid('z'), to);
    await waitFor(() => events.includes('exited z->echo'));
    expect(events.sort()).toEqual([
      'exited x->echo',
      'exited y->echo',
      'exited z->echo',
      'linked x->echo',
      'linked y->echo',
    ]);
  });

  it('links to a port with no listener exit promptly, exactly once', async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close(); // now nothing listens on it
    const b = await node();
    const exited: string[] = [];
    const linked: string[] = [];
    b.node.on('exited', (from, to) => exited.push(`${from} ${to}`));
    b.node.on('linked', (from, to) => linked.push(`${from} ${to}`));
    const dead = new Upid('echo', '127.0.0.1', port);
    b.node.link(b.node.pid('x'), dead);
    await waitFor(() => exited.length === 1, 2000);
    // Linking again after the exit tries a new connection (and exits again); a second exit
    // of the first link, or a 'linked', would have come before this one.
    b.node.link(b.node.pid('y'), dead);
    await waitFor(() => exited.length === 2, 2000);
    expect(exited).toEqual([
      `${b.node.pid('x')} ${dead}`,
      `${b.node.pid('y')} ${dead}`,
    ]);
    expect(linked).toEqual([]);
  });

  it('unlink stops exited notifications for that link', async () => {
    const a = await node();
    const b = await node();
    const exited: string[] = [];
    b.node.on('exited', (from) => exited.push(from.id));
    const to = a.node.pid('echo');
    b.node.link(b.node.pid('x'), to);
    b.node.link(b.node.pid('y'), to);
    b.node.unlink(b.node.pid('x'), to);
    expect(b.node.linksOf(b.node.pid('x'))).toEqual([]);
    await a.node.close();
    await waitFor(() => exited.length === 1);
    // x's exit, had it not been unlinked, would have come with y's, before this new link's.
    b.node.link(b.node.pid('z'), to);
    await waitFor(() => exited.length === 2);
    expect(exited).toEqual(['y', 'z']);
  });

  it('reports a send to a port with no listener as an error, without throwing', async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close();
    const b = await node();
    b.node.send(
      b.node.pid('x'),
      new Upid('echo', '127.0.0.1', port),
      'ping',
      'hi',
    );
    await waitFor(() => b.errors.length === 1);
    expect(b.errors[0]).toMatchObject({
      name: 'WireError',
      code: 'ECONNREFUSED',
      address: `127.0.0.1:${port}`,
    });
  });

  it('turns a throwing exited listener into an error event instead of a crash', async () => {
    const silent = await startSilentServer();
    const port = silent.port;
    await silent.close();
    const b = await node();
    b.node.on('exited', () => {
      throw new Error('listener bug');
    });
    b.node.link(b.node.pid('x'), new Upid('echo', '127.0.0.1', port));
    await waitFor(() => b.errors.length === 1);
    expect(b.errors[0]).toMatchObject({ code: 'ELISTENER' });
    expect(b.errors[0].message).toContain('listener bug');
  });

  it('drops a message with an invalid name as an error event', async () => {
    const a = await node();
    const b = await node();
    expect(() =>
      b.node.send(b.node.pid('x'), a.node.pid('echo'), 'bad name\r\n'),
    ).not.toThrow();
    expect(b.errors).toEqual([expect.objectContaining({ code: 'EINVAL' })]);
  });

  it('close() is idempotent, flushes queued messages and refuses later sends', async () => {
    const a = await node();
    const b = await startNode();
    const to = a.node.pid('echo');
    for (let i = 0; i < 1000; i++)
      b.node.send(b.node.pid('s'), to, 'count', 'x');
    const first = b.node.close();
    expect(b.node.close()).toBe(first);
    await first;
    await waitFor(() => a.received.length === 1000);
    expect(b.node.listening).toBe(false);
    b.node.send(b.node.pid('s'), to, 'count', 'x');
    expect(b.errors.map((e) => (e as { code?: string }).code)).toEqual([
      'ECLOSED',
    ]);
  });

  it('exposes the advertised address and pids', async () => {
    const a = await node({}, { advertiseIp: '10.1.2.3', advertisePort: 4050 });
    expect(a.node.listening).toBe(true);
    expect(a.node.address).toEqual({ ip: '10.1.2.3', port: 4050 });
    expect(a.node.pid('master').toString()).toBe('master@10.1.2.3:4050');
    expect(() => new WireNode({}, { onMessage: () => true }).address).toThrow(
      'not listening',
    );
  });
});
