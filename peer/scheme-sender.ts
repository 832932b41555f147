import type { ActorRef, Upid } from '../lib/index.js';
import { NAME_SCHEMES, type NameScheme, type Role } from './name-schemes.js';

/** Sends one prepared message (see {@link schemeSender}). */
export type PreparedSend = () => void;

/**
 * The one way the peer's clients (`send`, `pingpong`) and the steady benchmark send: for a
 * name scheme, from a process to a peer, it builds a send function per role with its body
 * prepared once. A plain-scheme message carries `payload` as its bytes (no payload: an empty
 * body); a mesos-go one is the `{ value: payload }` protobuf message of the role's type. Both
 * go through the library's public fast path, `ActorRef.send()` / `sendProto()`, so that the
 * benchmarks measure what applications get.
 */
export function schemeSender(
  actors: ActorRef,
  from: object,
  to: Upid,
  names: NameScheme,
): (role: Role, payload?: string) => PreparedSend {
  const scheme = NAME_SCHEMES[names];
  const options = { from };
  return (role, payload = '') => {
    const name = scheme[role];
    if (names === 'mesosgo') {
      const message = { value: payload };
      return () => actors.sendProto(to, name, message, options);
    }
    const body = payload === '' ? undefined : Buffer.from(payload, 'latin1');
    return () => actors.send(to, name, body, options);
  };
}
