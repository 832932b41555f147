import type { ProtobufCodec } from './protobuf.registry.js';

/**
 * Calls a mailbox handler with `(payload, context)`; may return a value, a promise or a
 * stream. A handler shared by every process of a class gets the instance as `instance`;
 * one bound to a single instance (through Nest's pipeline) ignores it. `context` is
 * undefined when the handler does not read it (see `MailboxHandler.needsContext`).
 */
export type MailboxInvoker = (
  payload: unknown,
  context: unknown,
  instance: object | null,
) => unknown;

/** The bound handler of one mailbox. */
export interface MailboxHandler {
  readonly invoke: MailboxInvoker;
  /**
   * False when the handler never reads its context (a direct call of a method without
   * `@Ctx()`): then no context object is built per message.
   */
  readonly needsContext: boolean;
  /**
   * True for an `async` method: it runs in its process' async context, so that what it
   * sends after an `await` still has its process as the sender (see `EntryRunner`).
   */
  readonly isAsync?: boolean;
}

/** One `@Mailbox()` / `@ProtobufMailbox()` method of a process class. */
export interface MailboxDefinition {
  /** Position in `ProcessDefinition.mailboxList`, and of its handler in the process' list. */
  readonly index: number;
  readonly name: string;
  readonly methodKey: string;
  readonly codec?: ProtobufCodec;
}

export interface RouteDefinition {
  /** Path below the process id, without a leading slash (`''` serves `/<id>`). */
  readonly path: string;
  readonly methodKey: string;
  readonly methods: readonly string[];
}

/** What a process class declares; computed once per class and shared by its processes. */
export interface ProcessDefinition {
  readonly className: string;
  /** `@Process()` id (the base of spawned ids). */
  readonly baseId?: string;
  readonly mailboxes: ReadonlyMap<string, MailboxDefinition>;
  readonly mailboxList: readonly MailboxDefinition[];
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  readonly onInitialize: readonly string[];
  readonly onExited: readonly string[];
  readonly onLinked: readonly string[];
}

/** A definition with only mailboxes (no routes or hooks), in `mailboxList` order. */
export function mailboxesOnly(
  className: string,
  mailboxList: readonly MailboxDefinition[],
): ProcessDefinition {
  return {
    className,
    mailboxes: new Map(mailboxList.map((m) => [m.name, m])),
    mailboxList,
    routes: new Map(),
    onInitialize: [],
    onExited: [],
    onLinked: [],
  };
}

/** The definition of a process without handlers (e.g. the temporary sender of `ask()`). */
export const EMPTY_DEFINITION: ProcessDefinition = mailboxesOnly('Object', []);
