import { afterAll } from '@jest/globals';
import {
  PEERS_INSTALL_HINT,
  lookupReferencePeer,
  type PeerKind,
  type ReferencePeer,
} from './reference-peers.js';
import { describeRequiring } from './require-gate.js';
import { stopAllSpawned } from './spawned-process.js';

/**
 * Registers `body` as a `describe` block when the reference peer `kind` is installed.
 *
 * When it is not, the block is reported as skipped with the reason and the install command, or,
 * with `LIBPROCESS_INTEROP_REQUIRED=1` (as in CI), as one failing test naming the peer.
 */
export function describeWithPeer(
  kind: PeerKind,
  body: (peer: ReferencePeer) => void,
): void {
  const lookup = lookupReferencePeer(kind);
  const title = `interop with ${lookup.ok ? lookup.peer.title : lookup.title}`;
  describeRequiring(
    title,
    lookup.ok
      ? { ok: true }
      : { ok: false, reason: lookup.reason, installHint: PEERS_INSTALL_HINT },
    {
      what: `${lookup.ok ? lookup.peer.title : lookup.title} peer`,
      requiredBy: 'LIBPROCESS_INTEROP_REQUIRED',
    },
    () => {
      if (!lookup.ok) return;
      // Whatever a failing test left running (a server, a client) is killed here at the latest.
      afterAll(stopAllSpawned);
      body(lookup.peer);
    },
  );
}
