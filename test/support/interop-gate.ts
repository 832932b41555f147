import { afterAll, describe, it } from '@jest/globals';
import {
  PEERS_INSTALL_HINT,
  interopRequired,
  lookupReferencePeer,
  type PeerKind,
  type ReferencePeer,
} from './reference-peers.js';
import { stopAllSpawned } from './spawned-process.js';

/**
 * Registers `body` as a `describe` block when the reference peer `kind` is installed.
 *
 * When it is not, the block's tests are not registered at all; instead one test either fails
 * naming the peer (`LIBPROCESS_INTEROP_REQUIRED=1`, as in CI) or prints one line saying what is
 * missing and how to install it, so a plain `npm test` on a machine without the peers stays green.
 */
export function describeWithPeer(
  kind: PeerKind,
  body: (peer: ReferencePeer) => void,
): void {
  const lookup = lookupReferencePeer(kind);
  if (lookup.ok) {
    describe(`interop with ${lookup.peer.title}`, () => {
      // Whatever a failing test left running (a server, a client) is killed here at the latest.
      afterAll(stopAllSpawned);
      body(lookup.peer);
    });
    return;
  }
  const message = `${lookup.title} peer not found (${lookup.reason}); install it with: ${PEERS_INSTALL_HINT}`;
  if (interopRequired()) {
    it(`${lookup.title} peer is installed (LIBPROCESS_INTEROP_REQUIRED=1)`, () => {
      throw new Error(message);
    });
  } else {
    it(`${lookup.title} interop skipped: peer not installed`, () => {
      process.stderr.write(`[interop] skipped: ${message}\n`);
    });
  }
}
