import { Injectable, Logger } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import { ExternalContextCreator } from '@nestjs/core';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants.js';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum.js';

import type { MetadataTarget } from './actor-metadata.accessor.js';
import { BOUND_BEFORE_CONNECTED } from './actor.messages.js';
import { LibprocessParamsFactory } from './factories/libprocess-params.factory.js';
import { NestGlobalEnhancers } from './nest-global-enhancers.js';
import type {
  MailboxDefinition,
  MailboxHandler,
  MailboxInvoker,
  ProcessDefinition,
} from './runtime/process-definition.js';
import { isAsyncFunction } from './runtime/pending.js';
import { ProcessManager } from './runtime/process-manager.js';
import { recordOf } from './runtime/process-table.js';
import type { MicroserviceHost } from './server/microservice-host.js';

type AnyMethod = (...args: any[]) => unknown;

const ENHANCER_METADATA_KEYS = [
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  EXCEPTION_FILTERS_METADATA,
];

/** Resolves one argument of a direct call from the payload and the context. */
type ArgumentOf = (payload: unknown, context: unknown) => unknown;

const payloadArgument: ArgumentOf = (payload) => payload;
const contextArgument: ArgumentOf = (_payload, context) => context;
const missingArgument: ArgumentOf = () => undefined;

function fieldArgument(field: string): ArgumentOf {
  return (payload) => (payload as Record<string, unknown> | undefined)?.[field];
}

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** Calls `method` with one argument per resolver, without an argument array per message. */
function callWith(method: AnyMethod, resolvers: ArgumentOf[]): MailboxInvoker {
  const [first, second] = resolvers;
  if (resolvers.length === 1) {
    return first === payloadArgument
      ? (payload, _context, instance) => method.call(instance, payload)
      : (payload, context, instance) =>
          method.call(instance, first(payload, context));
  }
  if (resolvers.length === 2) {
    return first === payloadArgument && second === contextArgument
      ? (payload, context, instance) => method.call(instance, payload, context)
      : (payload, context, instance) =>
          method.call(
            instance,
            first(payload, context),
            second(payload, context),
          );
  }
  return (payload, context, instance) =>
    method.apply(
      instance,
      resolvers.map((resolve) => resolve(payload, context)),
    );
}

/**
 * Binds the mailbox handlers of a process instance, eagerly, when it becomes a process.
 *
 * The hot path: when neither the app nor the class or method declares a guard, interceptor,
 * pipe or exception filter, and the parameters are only `@Payload()` / `@Ctx()`, Nest's
 * pipeline would only add promise hops around the call; the method is then called directly
 * (the same arguments, the same error and result handling) through one handler shared by
 * every instance of the class. Otherwise the method goes through `ExternalContextCreator`,
 * so guards, interceptors, pipes, filters, `@Payload()` and `@Ctx()` work as on an RPC
 * controller (context type `'rpc'`).
 *
 * Global enhancers are those Nest gives the handlers of the microservice running
 * `LibprocessServer` (`useHost()`): the application's only with `inheritAppConfig: true`.
 */
@Injectable()
export class MailboxInvokerFactory {
  private readonly logger = new Logger('ActorModule');
  private readonly paramsFactory = new LibprocessParamsFactory();
  private globalEnhancers: NestGlobalEnhancers;
  private externalContextCreator: ExternalContextCreator;
  /** Handlers of classes whose mailboxes are all direct calls, shared by their instances. */
  private sharedHandlers = new WeakMap<
    ProcessDefinition,
    readonly MailboxHandler[] | null
  >();
  private bound = false;

  constructor(
    externalContextCreator: ExternalContextCreator,
    private readonly processManager: ProcessManager,
  ) {
    // Until a microservice says otherwise: the container's (the application's) config.
    this.externalContextCreator = externalContextCreator;
    this.globalEnhancers = NestGlobalEnhancers.fromExternalContextCreator(
      externalContextCreator,
    );
  }

  /**
   * The microservice running the server: its global enhancers apply to the mailboxes bound
   * from now on (Nest calls this before `listen()`, and before the application's
   * `onModuleInit` unless it was initialized before `connectMicroservice()`).
   */
  useHost({ container, applicationConfig }: MicroserviceHost): void {
    if (applicationConfig === this.globalEnhancers.config) return;
    if (this.bound) this.logger.warn(BOUND_BEFORE_CONNECTED());
    this.globalEnhancers = NestGlobalEnhancers.of(applicationConfig);
    this.externalContextCreator =
      this.globalEnhancers.contextCreator(container);
    this.sharedHandlers = new WeakMap();
  }

  /** The handlers of `instance`'s mailboxes, by `MailboxDefinition.index`. */
  create(
    instance: object,
    definition: ProcessDefinition,
  ): readonly MailboxHandler[] {
    this.bound = true;
    const classRef = instance.constructor as MetadataTarget;
    let shared = this.sharedHandlers.get(definition);
    if (shared === undefined) {
      shared = this.directHandlers(classRef, definition);
      this.sharedHandlers.set(definition, shared);
    }
    if (shared !== null) return shared;
    return definition.mailboxList.map(
      (mailbox) =>
        this.directHandler(classRef, mailbox) ??
        this.pipelineHandler(instance, classRef, mailbox),
    );
  }

  /** One direct handler per mailbox, or null when any mailbox needs the pipeline. */
  private directHandlers(
    classRef: MetadataTarget,
    definition: ProcessDefinition,
  ): readonly MailboxHandler[] | null {
    const handlers: MailboxHandler[] = [];
    for (const mailbox of definition.mailboxList) {
      const handler = this.directHandler(classRef, mailbox);
      if (handler === undefined) return null;
      handlers.push(handler);
    }
    return handlers;
  }

  /** A direct call of the method, when nothing of Nest's pipeline applies to it. */
  private directHandler(
    classRef: MetadataTarget,
    mailbox: MailboxDefinition,
  ): MailboxHandler | undefined {
    if (this.globalEnhancers.hasAny()) return undefined;
    const method = (classRef.prototype as Record<string, AnyMethod>)[
      mailbox.methodKey
    ];
    for (const key of ENHANCER_METADATA_KEYS) {
      if (
        hasEntries(Reflect.getMetadata(key, classRef)) ||
        hasEntries(Reflect.getMetadata(key, method))
      ) {
        return undefined;
      }
    }
    const params = (Reflect.getMetadata(
      PARAM_ARGS_METADATA,
      classRef,
      mailbox.methodKey,
    ) ?? {}) as Record<
      string,
      { index: number; data?: string; pipes?: unknown[] }
    >;
    const plan: Array<{ index: number; type: RpcParamtype; data?: string }> =
      [];
    for (const [key, param] of Object.entries(params)) {
      // Keys are `<paramtype>:<index>`.
      const type = Number(key.split(':')[0]) as RpcParamtype;
      if (
        (type !== RpcParamtype.PAYLOAD && type !== RpcParamtype.CONTEXT) ||
        hasEntries(param.pipes)
      ) {
        return undefined;
      }
      plan.push({ index: param.index, type, data: param.data });
    }
    if (plan.length === 0) {
      // No parameter decorators: Nest passes the raw `(payload, ctx)`. The context is only
      // built when the method declares a second parameter (or its arity is unknown: rest
      // or default parameters, no emitted metadata).
      const declared = Reflect.getMetadata(
        'design:paramtypes',
        classRef.prototype as object,
        mailbox.methodKey,
      ) as unknown[] | undefined;
      return {
        invoke: (payload, context, instance) =>
          method.call(instance, payload, context),
        isAsync: isAsyncFunction(method),
        needsContext:
          declared === undefined ||
          declared.length !== method.length ||
          declared.length > 1,
      };
    }
    // As Nest: the decorated parameters get their values, every other one is undefined.
    const length = Math.max(...plan.map((p) => p.index)) + 1;
    const resolvers = new Array<ArgumentOf>(length).fill(missingArgument);
    for (const { index, type, data } of plan) {
      resolvers[index] =
        type === RpcParamtype.CONTEXT
          ? contextArgument
          : data
            ? fieldArgument(data)
            : payloadArgument;
    }
    return {
      invoke: callWith(method, resolvers),
      isAsync: isAsyncFunction(method),
      needsContext: plan.some((p) => p.type === RpcParamtype.CONTEXT),
    };
  }

  /**
   * The method through Nest's pipeline, bound to `instance`. Nest calls it after guards and
   * pipes, possibly a few microtasks after the process' turn: it runs as its process then
   * (also across its awaits), so that it is the default sender of its `ActorRef` calls.
   */
  private pipelineHandler(
    instance: object,
    classRef: MetadataTarget,
    mailbox: MailboxDefinition,
  ): MailboxHandler {
    const method = (instance as Record<string, AnyMethod>)[mailbox.methodKey];
    const manager = this.processManager;
    const isAsync = isAsyncFunction(method);
    const callback = function (this: unknown, ...args: unknown[]): unknown {
      const record = recordOf(instance);
      return record === undefined
        ? method.apply(this, args)
        : manager.runAs(record, () => method.apply(this, args), isAsync);
    };
    // Guards, interceptors, pipes, filters and Reflector lookups read the handler's metadata.
    for (const key of Reflect.getMetadataKeys(method)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, method), callback);
    }
    Object.defineProperty(callback, 'name', { value: method.name });
    const invoke = this.externalContextCreator.create(
      instance,
      callback,
      mailbox.methodKey,
      PARAM_ARGS_METADATA,
      this.paramsFactory,
      undefined,
      undefined,
      {
        guards: true,
        interceptors: true,
        // Without a custom filter Nest's default one only logs and rethrows; the runtime
        // logs the failure itself, with the process, mailbox and sender.
        filters:
          this.globalEnhancers.hasFilters() ||
          hasEntries(
            Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, classRef),
          ) ||
          hasEntries(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method)),
      },
      'rpc',
    );
    return {
      invoke: (payload, context) => invoke(payload, context),
      needsContext: true,
    };
  }
}
