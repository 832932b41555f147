import type { Type } from 'protobufjs';

import type { Upid } from '../wire/upid.js';

/**
 * A message name, or a protobufjs `Type` standing for its full type name (the name
 * `ActorRef.sendProto` and `@ProtobufMailbox` use).
 *
 * @publicApi
 */
export type MessageName = string | Type;

/**
 * A process: its full pid (a `Upid` or `id@host:port`), or only its id (a string without `@`),
 * which matches that process on any node.
 *
 * @publicApi
 */
export type ProcessMatcher = Upid | string;

/**
 * Which messages an expectation or an interception applies to, besides their name: like the
 * `from` and `to` of Mesos' `FUTURE_MESSAGE(name, from, to)`, where an omitted one matches any.
 *
 * @publicApi
 */
export interface MessageFilter {
  from?: ProcessMatcher;
  to?: ProcessMatcher;
}

/** One message as a test sees it. */
export interface MatchableMessage {
  from: Upid;
  to: Upid;
  name: string;
}

/** The message name a {@link MessageName} stands for. */
export function messageNameOf(name: MessageName): string {
  return typeof name === 'string' ? name : name.fullName.replace(/^\./, '');
}

function processMatches(
  matcher: ProcessMatcher | undefined,
  pid: Upid,
): boolean {
  if (matcher === undefined) return true;
  const text = `${matcher}`;
  return text.includes('@') ? text === `${pid}` : text === pid.id;
}

/** Whether `message` is named `name` and passes `filter`. */
export function messageMatches(
  message: MatchableMessage,
  name: string,
  filter: MessageFilter = {},
): boolean {
  return (
    message.name === name &&
    processMatches(filter.from, message.from) &&
    processMatches(filter.to, message.to)
  );
}

/** `"ping" from x to y` for error messages. */
export function describeExpectation(
  name: string,
  filter: MessageFilter = {},
): string {
  const from = filter.from === undefined ? '' : ` from ${filter.from}`;
  const to = filter.to === undefined ? '' : ` to ${filter.to}`;
  return `"${name}"${from}${to}`;
}
