import { createServer, type Socket } from 'node:net';

import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_WIRE_LIMITS,
  HttpRequestDecoder,
  Upid,
} from '../../lib/wire/index.js';
import { ACCEPTED, libprocessMessage } from './wire-fixtures.js';
import {
  occurrences,
  rawClient,
  startNode,
  wireTestScope,
} from './wire-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

const { onCleanup } = wireTestScope();

/**
 * A libprocess peer that answers each message with a 202 `answerAfterMs` after reading it
 * (a busy master), and records how many it had answered when the sender's FIN arrived.
 */
async function slowPeer(
  answerAfterMs: number,
  answerAtMost = Infinity,
): Promise<{
  pid: Upid;
  received: () => number;
  answeredAtFin: Promise<number>;
}> {
  let received = 0;
  let answered = 0;
  let resolveFin!: (answered: number) => void;
  const answeredAtFin = new Promise<number>(
    (resolve) => (resolveFin = resolve),
  );
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.on('end', () => resolveFin(answered));
    const decoder = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
      onRequest: () => {
        received++;
        if (received > answerAtMost) return;
        setTimeout(() => {
          answered++;
          if (!socket.destroyed) socket.write(ACCEPTED);
        }, answerAfterMs);
      },
      onError: (error) => {
        throw error;
      },
    });
    socket.on('data', (chunk: Buffer) => decoder.execute(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  const port =
    typeof address === 'object' && address !== null ? address.port : 0;
  return {
    pid: new Upid('master', '127.0.0.1', port),
    received: () => received,
    answeredAtFin,
  };
}

describe('WireNode shutdown', () => {
  it('stops reading at close(): every request read is answered, nothing later is read', async () => {
    let closing: Promise<void> | undefined;
    const names: string[] = [];
    const started = await startNode(
      {
        onMessage: (_from, _to, name) => {
          names.push(name);
          if (name === 'close') closing = started.node.close();
          return true;
        },
      },
      { shutdownGracePeriod: 1000 },
    );
    const client = await rawClient(started.node.address.port);
    client.socket.write(
      Buffer.concat([
        ...Array.from({ length: 500 }, () => libprocessMessage('before')),
        libprocessMessage('close'),
        ...Array.from({ length: 500 }, () => libprocessMessage('after')),
      ]),
    );
    await waitFor(() => closing !== undefined);
    // Written after close() began: never read.
    client.socket.write(libprocessMessage('late'));
    await closing;
    await client.closed;
    expect(names).not.toContain('late');
    // Every message read was delivered and got its 202, and only those.
    expect(occurrences(client.text(), ACCEPTED)).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(501);
  });

  it('closes its connection to a peer only once the peer has answered every message', async () => {
    const peer = await slowPeer(20);
    const started = await startNode({}, { shutdownGracePeriod: 3000 });
    const from = started.node.pid('scheduler');
    // The first answer shows that this peer answers; the rest are in flight at close().
    started.node.send(from, peer.pid, 'subscribe');
    await waitFor(() => peer.received() === 1);
    for (let i = 0; i < 50; i++)
      started.node.send(from, peer.pid, 'ack', `${i}`);
    await started.node.close();
    // The peer saw the FIN only after it had answered (so read) all 51 messages.
    expect(await peer.answeredAtFin).toBe(51);
    expect(started.errors).toEqual([]);
  });

  it('never takes longer than its grace period, even when a peer stops answering', async () => {
    const peer = await slowPeer(0, 1);
    const started = await startNode({}, { shutdownGracePeriod: 300 });
    const from = started.node.pid('scheduler');
    started.node.send(from, peer.pid, 'first');
    await waitFor(() => peer.received() === 1);
    for (let i = 0; i < 20; i++)
      started.node.send(from, peer.pid, 'unanswered');
    // An inbound client that never reads nor closes keeps its socket open too.
    const client = await rawClient(started.node.address.port);
    client.socket.pause();
    const begin = Date.now();
    await started.node.close();
    const took = Date.now() - begin;
    // It waited for the 20 answers that never came, up to the deadline and not beyond (the
    // margin is for a loaded machine; the node itself uses one deadline for every phase).
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(300 + 250);
    client.socket.destroy();
  });
});
