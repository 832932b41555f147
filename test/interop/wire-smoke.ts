import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Upid, WireNode, type WireMessage } from '../../lib/wire/index.js';
import {
  NAME_SCHEMES,
  type NameScheme,
  type Role,
} from '../../peer/name-schemes.js';
import type { PeerServer, ReferencePeer } from '../support/reference-peers.js';
import { waitFor } from '../support/wait-for.js';
import {
  decodeValueMessage,
  encodeValueMessage,
} from '../support/value-message.js';

function roleOf(name: string): { scheme: NameScheme; role: Role } | undefined {
  for (const scheme of ['plain', 'mesosgo'] as const) {
    const entry = Object.entries(NAME_SCHEMES[scheme]).find(
      ([, n]) => n === name,
    );
    if (entry) return { scheme, role: entry[0] as Role };
  }
  return undefined;
}

/**
 * A bare WireNode running the reference peers' `echo` (no Nest): proves lib/wire against the
 * real implementations independently of the ActorModule layer above it.
 */
function wireEcho(): { node: WireNode; received: WireMessage[] } {
  const received: WireMessage[] = [];
  const counts = new Map<string, number>();
  const node: WireNode = new WireNode(
    { ip: '127.0.0.1', port: 0 },
    {
      onMessage(from, to, name, body) {
        if (to !== 'echo') return false;
        const message = { from, to, name, body };
        received.push(message);
        const kind = roleOf(message.name);
        const names = kind && NAME_SCHEMES[kind.scheme];
        const self = node.pid('echo');
        if (kind?.role === 'ping')
          node.send(self, message.from, names!.pong, message.body);
        if (kind?.role === 'count')
          counts.set(
            `${message.from}`,
            (counts.get(`${message.from}`) ?? 0) + 1,
          );
        if (kind?.role === 'report') {
          const count = String(counts.get(`${message.from}`) ?? 0);
          counts.delete(`${message.from}`);
          const body =
            kind.scheme === 'mesosgo'
              ? encodeValueMessage(Buffer.from(count))
              : count;
          node.send(self, message.from, names!.report_reply, body);
        }
        return true;
      },
    },
  );
  return { node, received };
}

/** Wire-level smoke tests (lib/wire alone) against one reference peer, both directions. */
export function registerWireSmoke(peer: ReferencePeer): void {
  const scheme: NameScheme = peer.speaksPlainNames ? 'plain' : 'mesosgo';
  const names = NAME_SCHEMES[scheme];

  describe(`lib/wire alone <-> ${peer.kind}`, () => {
    let server: PeerServer;
    let echo: ReturnType<typeof wireEcho>;

    beforeAll(async () => {
      server = await peer.serve();
      echo = wireEcho();
      await echo.node.listen();
    }, 30_000);
    afterAll(async () => {
      await server?.process.stop();
      await echo?.node.close();
    });

    it(`${peer.kind} client -> WireNode: 1,000 counted, report answered`, async () => {
      const { result, code } = await peer.run('send', {
        to: echo.node.pid('echo').toString(),
        n: 1000,
        size: 100,
        timeoutSeconds: 30,
      });
      expect(result.server_count).toBe(1000);
      expect(code).toBe(0);
      const fromPeer = echo.received.filter((m) => `${m.from}` === result.from);
      expect(fromPeer).toHaveLength(1001);
      expect(fromPeer[0]).toMatchObject({ to: 'echo', name: names.count });
      const expectedBody = Buffer.alloc(100, 'x');
      expect(fromPeer[0].body).toEqual(
        scheme === 'mesosgo' ? encodeValueMessage(expectedBody) : expectedBody,
      );
    }, 60_000);

    it(`WireNode -> ${peer.kind} server: 1,000 counted, report_reply received`, async () => {
      const replies: WireMessage[] = [];
      const client: WireNode = new WireNode(
        { ip: '127.0.0.1', port: 0 },
        {
          onMessage: (from, to, name, body) => (
            replies.push({ from, to, name, body }),
            true
          ),
        },
      );
      await client.listen();
      try {
        const from = client.pid('sender');
        const to = Upid.parse(server.pid);
        const body = Buffer.alloc(100, 'x');
        for (let i = 0; i < 1000; i++) {
          client.send(
            from,
            to,
            names.count,
            scheme === 'mesosgo' ? encodeValueMessage(body) : body,
          );
        }
        client.send(
          from,
          to,
          names.report,
          scheme === 'mesosgo'
            ? encodeValueMessage(Buffer.alloc(0))
            : undefined,
        );
        await waitFor(() => replies.length > 0, 20_000, 'report_reply');
        expect(replies[0]).toMatchObject({
          to: 'sender',
          name: names.report_reply,
        });
        const count =
          scheme === 'mesosgo'
            ? decodeValueMessage(replies[0].body).toString()
            : replies[0].body.toString();
        expect(count).toBe('1000');
      } finally {
        await client.close();
      }
    }, 60_000);
  });
}
