import type { HttpHead, SenderParser } from './http-head.js';
import { Upid } from './upid.js';
import { LIBPROCESS_USER_AGENT_PREFIX } from './wire.constants.js';

/**
 * What an inbound request is to the node. Decided once per distinct request head (the
 * decoder caches it with the head), so nothing downstream looks at the headers again.
 */
export enum RequestKind {
  /** Any request that is not a libprocess message: served by the HTTP hook. */
  Http,
  /** A libprocess message (a POST with a parsable sender to `/<id>/<name>`). */
  Message,
  /** A message whose process id cannot be percent-decoded: no such process (404). */
  UndecodableTarget,
  /** A POST that names a libprocess sender which cannot be parsed: unanswerable (400). */
  UnparsableSender,
}

/** The classification of a request head, with the target of a message. */
export interface RequestClass {
  readonly kind: RequestKind;
  /** Process id of a {@link RequestKind.Message}; '' otherwise. */
  readonly to: string;
  /** Message name of a {@link RequestKind.Message}; '' otherwise. */
  readonly name: string;
}

const HTTP: RequestClass = Object.freeze({
  kind: RequestKind.Http,
  to: '',
  name: '',
});
const UNDECODABLE_TARGET: RequestClass = Object.freeze({
  kind: RequestKind.UndecodableTarget,
  to: '',
  name: '',
});
const UNPARSABLE_SENDER: RequestClass = Object.freeze({
  kind: RequestKind.UnparsableSender,
  to: '',
  name: '',
});

/**
 * Classifies a request head. A libprocess message is a POST with a sender to `/<id>/<name>`:
 * a query is not part of the name, the id is percent-decoded (as C++ libprocess does).
 */
export function classifyRequest(head: HttpHead): RequestClass {
  if (head.method !== 'POST') return HTTP;
  if (head.from === undefined) {
    const headers = head.headers;
    return headers['libprocess-from'] !== undefined ||
      headers['user-agent']?.startsWith(LIBPROCESS_USER_AGENT_PREFIX) === true
      ? UNPARSABLE_SENDER
      : HTTP;
  }
  const path = head.path;
  const slash = path.indexOf('/', 1);
  if (path.charCodeAt(0) !== 0x2f || slash <= 1) return HTTP;
  let name = path.slice(slash + 1);
  const query = name.indexOf('?');
  if (query >= 0) name = name.slice(0, query);
  if (name.length === 0) return HTTP;
  let to = path.slice(1, slash);
  if (to.includes('%')) {
    try {
      to = decodeURIComponent(to);
    } catch {
      return UNDECODABLE_TARGET;
    }
  }
  return { kind: RequestKind.Message, to, name };
}

/** The sender as the peer wrote it, for a log line about an unparsable one. */
export function claimedSender(request: {
  readonly headers: Readonly<Record<string, string>>;
}): string {
  const headers = request.headers;
  return headers['libprocess-from'] ?? headers['user-agent'] ?? '';
}

/**
 * A {@link SenderParser} for one connection: its senders repeat, so the last PID parsed is
 * reused while the text is the same. An unparsable sender gives undefined: the request is
 * then not a message, and the node answers it.
 */
export function cachingSenderParser(): SenderParser {
  let lastText = '';
  let last: Upid | undefined;
  return (text) => {
    if (text !== lastText) {
      lastText = text;
      try {
        last = Upid.parse(text);
      } catch {
        last = undefined;
      }
    }
    return last;
  };
}
