import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

import { beforeAll, describe, expect, it } from '@jest/globals';

import { Upid } from '../../lib/wire/index.js';
import { runNodeScript, startNode } from './wire-test.helpers.js';
import { transpiledUrl } from '../support/transpiled-sources.js';
import { waitFor } from '../support/wait-for.js';

// Child processes run the real lib/wire, transpiled to JavaScript once for this file.
let wire: { indexUrl: string };
beforeAll(() => {
  wire = { indexUrl: transpiledUrl('lib/wire/index.js') };
});

describe('WireNode across processes', () => {
  it('fires exited exactly once per link when the remote process is killed', async () => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { WireNode } from ${JSON.stringify(wire.indexUrl)};
         const node = new WireNode({ ip: '127.0.0.1', port: 0 }, { onMessage: () => true });
         await node.listen();
         console.log(node.pid('echo').toString());`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const line = await new Promise<string>((resolve) =>
        createInterface({ input: child.stdout! }).once('line', resolve),
      );
      const remote = Upid.parse(line);
      const { node, errors } = await startNode();
      const events: string[] = [];
      node.on('linked', (from) => events.push(`linked ${from.id}`));
      node.on('exited', (from, to) => events.push(`exited ${from.id} ${to}`));
      node.link(node.pid('a'), remote);
      node.link(node.pid('b'), remote);
      node.send(node.pid('a'), remote, 'ping', 'x');
      await waitFor(() => events.length === 2);
      child.kill('SIGKILL');
      await waitFor(() => events.length === 4);
      // A new link to the dead process exits in turn: a second event of the first two
      // links, had there been one, would have come before it.
      node.link(node.pid('c'), remote);
      await waitFor(() => events.length === 5);
      expect(events.sort()).toEqual([
        `exited a ${remote}`,
        `exited b ${remote}`,
        `exited c ${remote}`,
        'linked a',
        'linked b',
      ]);
      expect(node.linksOf(node.pid('a'))).toEqual([]);
      expect(errors).toEqual([]);
      await node.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits by itself when closed while coalesced responses are pending', async () => {
    const script = `
      import { connect } from 'node:net';
      import { encodeMessage, Upid, WireNode } from ${JSON.stringify(wire.indexUrl)};
      let closing;
      let received = 0;
      const a = new WireNode({ ip: '127.0.0.1', port: 0, shutdownGracePeriod: 300 }, {
        onMessage: () => {
          if (++received === 100) closing = a.close();
          return true;
        },
      });
      await a.listen();
      const client = connect(a.address.port, '127.0.0.1');
      let responses = '';
      client.on('data', (d) => (responses += d));
      await new Promise((r) => client.once('connect', r));
      const from = Upid.parse('s@127.0.0.1:1');
      // One write per message: each read's 202 waits for the coalesced flush.
      for (let i = 0; i < 200; i++) client.write(encodeMessage(from, a.pid('echo'), 'm', 'x'));
      await new Promise((r) => client.once('end', r));
      await closing;
      client.destroy();
      console.log(received, responses.split('202 Accepted').length - 1);
    `;
    const result = await runNodeScript(script, 10_000);
    expect(result.stderr).toBe('');
    const [received, accepted] = result.stdout.trim().split(' ').map(Number);
    // Every message read before the close is delivered and its 202 arrives; no crash.
    expect(received).toBeGreaterThanOrEqual(100);
    expect(accepted).toBe(received);
    expect({ code: result.code, signal: result.signal }).toEqual({
      code: 0,
      signal: null,
    });
  });

  it('leaves no handle behind: a process that used and closed nodes exits by itself', async () => {
    const script = `
      import { createServer } from 'node:net';
      import { Upid, WireNode } from ${JSON.stringify(wire.indexUrl)};
      const received = [];
      const a = new WireNode({ ip: '127.0.0.1', port: 0, shutdownGracePeriod: 300 }, {
        onMessage: (_from, _to, name) => { received.push(name); return true; },
        onHttpRequest: async () => ({ status: 200, body: 'ok' }),
      });
      const b = new WireNode({ ip: '127.0.0.1', port: 0, shutdownGracePeriod: 300 }, { onMessage: () => true });
      b.on('error', () => {});
      await a.listen();
      await b.listen();
      // A peer that accepts and never reads keeps a connection with queued bytes open. Its
      // handles are unref'ed and never closed: only the WireNode's own side may end it.
      const silent = createServer({ pauseOnConnect: true }, (s) => s.unref());
      await new Promise((r) => silent.listen(0, '127.0.0.1', r));
      silent.unref();
      const stuck = new Upid('x', '127.0.0.1', silent.address().port);
      for (let i = 0; i < 2000; i++) b.send(b.pid('s'), stuck, 'm', Buffer.alloc(10000));
      b.link(b.pid('s'), a.pid('echo'));
      b.link(b.pid('s'), new Upid('gone', '127.0.0.1', 1));
      for (let i = 0; i < 100; i++) b.send(b.pid('s'), a.pid('echo'), 'count', 'x');
      while (received.length < 100) await new Promise((r) => setTimeout(r, 5));
      await Promise.all([a.close(), b.close()]);
      console.log('closed', received.length);
    `;
    const result = await runNodeScript(script, 10_000);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('closed 100');
    // Killed by the timeout (signal set) would mean a dangling handle kept it alive.
    expect({ code: result.code, signal: result.signal }).toEqual({
      code: 0,
      signal: null,
    });
  });
});
