import type { LibprocessContext } from '../ctx-host/libprocess.context.js';
import type { ProtobufCodec } from './protobuf.registry.js';

/**
 * Calls a mailbox handler of `instance` with `(payload, ctx)`; may return a value, a promise
 * or a stream. Invokers bound to one instance (through Nest's pipeline) ignore `instance`.
 * `ctx` is undefined only for the shared invoker of a `contextFree` mailbox.
 */
export type MailboxInvoker = (
  payload: unknown,
  ctx: LibprocessContext | undefined,
  instance: object | null,
) => unknown;

export interface MailboxDefinition {
  /** Position in `ProcessDefinition.mailboxList` (index of the bound invoker per process). */
  readonly index: number;
  readonly name: string;
  readonly methodKey: string;
  readonly codec?: ProtobufCodec;
  /**
   * A handler shared by every process of the definition: a Nest `@EventPattern` handler, or
   * a direct method call when no enhancer applies (set on first use).
   */
  invoker?: MailboxInvoker;
  /**
   * True when `invoker` never reads its `ctx` (a direct call of a handler without `@Ctx()`):
   * then no `LibprocessContext` is created per message.
   */
  contextFree?: boolean;
}

export interface RouteDefinition {
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

/** The definition of a process without handlers (e.g. the temporary sender of `ask()`). */
export const EMPTY_DEFINITION: ProcessDefinition = {
  className: 'Object',
  mailboxes: new Map(),
  mailboxList: [],
  routes: new Map(),
  onInitialize: [],
  onExited: [],
  onLinked: [],
};
