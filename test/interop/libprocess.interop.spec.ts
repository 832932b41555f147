import { describe, expect, it } from '@jest/globals';
import { describeWithPeer } from '../support/interop-gate.js';
import type { ReferencePeer } from '../support/reference-peers.js';
import {
  registerInteropScenarios,
  startTsServer,
  tsClient,
} from './interop-scenarios.js';
import { registerWireSmoke } from './wire-smoke.js';

/**
 * Without a link, C++ libprocess sends over a temporary socket that it closes as soon as its
 * queue drains, with the receiver's 202s unread, so the close is an RST and the receiver's
 * kernel discards what it had not read yet (../shared/peers/README.md, quirk 1). The TS server
 * cannot get those bytes back; it must count everything that did arrive and keep working.
 */
function registerTemporarySocketScenarios(peer: ReferencePeer): void {
  describe('C++ temporary sockets (--link 0)', () => {
    it('a --link 0 burst to the TS server: every arrived message counted, node stays healthy', async () => {
      const { peer: ts, reports } = await startTsServer();
      try {
        const burst = await peer.run('send', {
          to: ts.pid,
          n: 20000,
          size: 100,
          link: false,
          timeoutSeconds: 3,
        });
        const pending = [...ts.process.pendingCounts.values()];
        const counted =
          pending.reduce((a, b) => a + b, 0) +
          reports.reduce((a, r) => a + r.count, 0);
        expect(counted).toBeGreaterThan(0);
        expect(counted).toBeLessThanOrEqual(20000);
        if (burst.result.error === undefined) {
          // The report survived: it carried exactly what the TS server had counted (the
          // client exits 1 when that is less than it sent).
          expect(burst.result.server_count).toBe(counted);
          expect(burst.code).toBe(counted === 20000 ? 0 : 1);
        } else {
          // The report was among the lost messages.
          expect(burst.result).toEqual({
            peer: 'libprocess',
            mode: 'send',
            error: 'timeout',
          });
        }

        // Still healthy: a linked burst is counted exactly and its report answered...
        const linked = await peer.run('send', {
          to: ts.pid,
          n: 20000,
          size: 100,
          timeoutSeconds: 60,
        });
        expect(linked.result.server_count).toBe(20000);
        expect(linked.code).toBe(0);
        // ...and ping-pong over temporary sockets works (each ping is read before the RST).
        const pingpong = await peer.run('pingpong', {
          to: ts.pid,
          n: 500,
          link: false,
          timeoutSeconds: 30,
        });
        expect(pingpong.result).toMatchObject({ mode: 'pingpong', n: 500 });
        expect(pingpong.code).toBe(0);
      } finally {
        await ts.close();
      }
    }, 90_000);

    it('a C++ server replying over temporary sockets (serve --link 0) reaches the TS client', async () => {
      const server = await peer.serve(['--link', '0']);
      try {
        const pingpong = await tsClient([
          'pingpong',
          '--to',
          server.pid,
          '--n',
          '500',
          '--timeout',
          '30',
        ]);
        expect(pingpong.code).toBe(0);
        const send = await tsClient([
          'send',
          '--to',
          server.pid,
          '--n',
          '20000',
          '--timeout',
          '60',
        ]);
        expect(send.line.server_count).toBe(20000);
        expect(send.code).toBe(0);
      } finally {
        await server.process.stop();
      }
    }, 90_000);
  });
}

describeWithPeer('libprocess', (peer) => {
  registerWireSmoke(peer);
  registerInteropScenarios(peer);
  registerTemporarySocketScenarios(peer);
});
