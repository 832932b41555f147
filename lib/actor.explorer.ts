import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  DiscoveryService,
  ExternalContextCreator,
  MetadataScanner,
} from '@nestjs/core';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import { PARAM_ARGS_METADATA } from '@nestjs/microservices/constants.js';

import {
  ActorMetadataAccessor,
  type MetadataTarget,
} from './actor-metadata.accessor.js';
import { NON_STATIC_PROCESS } from './actor.messages.js';
import { DuplicateMailboxError } from './errors/duplicate-mailbox.error.js';
import { UnknownProtobufTypeError } from './errors/unknown-protobuf-type.error.js';
import { LibprocessParamsFactory } from './factories/libprocess-params.factory.js';
import type {
  MailboxDefinition,
  MailboxInvoker,
  ProcessDefinition,
  RouteDefinition,
} from './runtime/process-definition.js';
import type { ProcessRecord } from './runtime/process-record.js';
import { ProcessManager } from './runtime/process-manager.js';
import {
  type ProtobufCodec,
  ProtobufRegistry,
} from './runtime/protobuf.registry.js';

/** `RpcParamtype.PAYLOAD` / `CONTEXT` (what `@Payload()` / `@Ctx()` record). */
const RPC_PAYLOAD = 3;
const RPC_CONTEXT = 6;
const ENHANCER_METADATA_KEYS = [
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  EXCEPTION_FILTERS_METADATA,
];
/** The private fields of `ExternalContextCreator` that hold the enhancer resolvers. */
const ENHANCER_CONTEXT_CREATORS = [
  'guardsContextCreator',
  'interceptorsContextCreator',
  'pipesContextCreator',
  'filtersContextCreator',
];

interface EnhancerContextCreator {
  getGlobalMetadata?(): unknown[];
  config?: {
    getGlobalRequestGuards?(): unknown[];
    getGlobalRequestInterceptors?(): unknown[];
    getGlobalRequestPipes?(): unknown[];
    getGlobalRequestFilters?(): unknown[];
  };
}

type AnyMethod = (...args: any[]) => unknown;

/** A handler called without Nest's pipeline, and whether it reads the `LibprocessContext`. */
interface DirectCall {
  invoker: MailboxInvoker;
  takesContext: boolean;
}

/** Resolves one argument of a direct call from the payload and the context. */
type ArgumentOf = (payload: unknown, ctx: unknown) => unknown;

const payloadArgument: ArgumentOf = (payload) => payload;
const contextArgument: ArgumentOf = (_payload, ctx) => ctx;
const missingArgument: ArgumentOf = () => undefined;

function fieldArgument(field: string): ArgumentOf {
  return (payload) => (payload as Record<string, unknown> | undefined)?.[field];
}

/** Calls `method` with one argument per resolver, without an argument array per message. */
function callWith(method: AnyMethod, resolvers: ArgumentOf[]): MailboxInvoker {
  const [first, second] = resolvers;
  if (resolvers.length === 1) {
    return first === payloadArgument
      ? (payload, _ctx, instance) => method.call(instance, payload)
      : (payload, ctx, instance) => method.call(instance, first(payload, ctx));
  }
  if (resolvers.length === 2) {
    return first === payloadArgument && second === contextArgument
      ? (payload, ctx, instance) => method.call(instance, payload, ctx)
      : (payload, ctx, instance) =>
          method.call(instance, first(payload, ctx), second(payload, ctx));
  }
  return (payload, ctx, instance) =>
    method.apply(
      instance,
      resolvers.map((resolve) => resolve(payload, ctx)),
    );
}

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * Finds the `@Process()` providers and controllers at startup, validates their declarations
 * and registers them with the `ProcessManager`; binds mailbox handlers through Nest's
 * `ExternalContextCreator` so that guards, interceptors, pipes, filters, `@Payload()` and
 * `@Ctx()` work as on an RPC controller (context type `'rpc'`).
 */
@Injectable()
export class ActorExplorer implements OnModuleInit {
  private readonly logger = new Logger('ActorModule');
  private readonly definitions = new WeakMap<object, ProcessDefinition>();
  private readonly paramsFactory = new LibprocessParamsFactory();

  constructor(
    private readonly discoveryService: DiscoveryService,
    private readonly metadataScanner: MetadataScanner,
    private readonly externalContextCreator: ExternalContextCreator,
    private readonly metadataAccessor: ActorMetadataAccessor,
    private readonly protobufRegistry: ProtobufRegistry,
    private readonly processManager: ProcessManager,
  ) {}

  onModuleInit(): void {
    this.processManager.setInvokerFactory(this.createInvoker);
    this.explore();
  }

  explore(): void {
    const seen = new Set<object>();
    const wrappers = [
      ...this.discoveryService.getProviders(),
      ...this.discoveryService.getControllers(),
    ];
    for (const wrapper of wrappers) {
      const { instance } = wrapper;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias)
        continue;
      // For useValue/useFactory providers the metatype is not the instance's class.
      const classRef = (
        !wrapper.metatype || wrapper.inject
          ? (instance as object).constructor
          : wrapper.metatype
      ) as MetadataTarget | undefined;
      const options =
        classRef && this.metadataAccessor.getProcessMetadata(classRef);
      if (!options) continue;
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        this.logger.warn(NON_STATIC_PROCESS(classRef.name));
        continue;
      }
      if (seen.has(instance)) continue;
      seen.add(instance);
      this.processManager.register(
        options.id,
        instance,
        this.describe(classRef, options.id),
      );
    }
  }

  /**
   * The declarations of a process class (cached per class).
   * @throws DuplicateMailboxError, UnknownProtobufTypeError
   */
  describe(classRef: MetadataTarget, processId?: string): ProcessDefinition {
    const cached = this.definitions.get(classRef);
    if (cached) return cached;
    const baseId = this.metadataAccessor.getProcessMetadata(classRef)?.id;
    const shownId = processId ?? baseId ?? classRef.name;
    const prototype = classRef.prototype as Record<string, AnyMethod>;
    const mailboxes = new Map<string, MailboxDefinition>();
    const mailboxList: MailboxDefinition[] = [];
    const routes = new Map<string, RouteDefinition>();
    const onInitialize: string[] = [];
    const onExited: string[] = [];
    const onLinked: string[] = [];
    for (const key of this.metadataScanner.getAllMethodNames(prototype)) {
      const method = prototype[key];
      const mailbox = this.metadataAccessor.getMailboxMetadata(method);
      if (mailbox) {
        const codec =
          mailbox.protobuf !== undefined
            ? this.resolveCodec(mailbox.protobuf, shownId, key)
            : undefined;
        const name = mailbox.name ?? codec!.name;
        if (mailboxes.has(name)) throw new DuplicateMailboxError(shownId, name);
        const definition = {
          index: mailboxList.length,
          name,
          methodKey: key,
          codec,
        };
        mailboxes.set(name, definition);
        mailboxList.push(definition);
      }
      const route = this.metadataAccessor.getRouteMetadata(method);
      if (route) {
        if (routes.has(route.path)) {
          throw new DuplicateMailboxError(shownId, route.path, 'route');
        }
        routes.set(route.path, { ...route, methodKey: key });
      }
      if (this.metadataAccessor.isOnInitialize(method)) onInitialize.push(key);
      if (this.metadataAccessor.isOnExited(method)) onExited.push(key);
      if (this.metadataAccessor.isOnLinked(method)) onLinked.push(key);
    }
    const definition: ProcessDefinition = {
      className: classRef.name,
      baseId,
      mailboxes,
      mailboxList,
      routes,
      onInitialize,
      onExited,
      onLinked,
    };
    this.definitions.set(classRef, definition);
    return definition;
  }

  /**
   * Binds one mailbox of one process through Nest's pipeline. The method is wrapped so that
   * it runs with its process as the default sender of `ActorRef` calls (Nest calls it after
   * guards and pipes, possibly a few microtasks later).
   */
  private readonly createInvoker = (
    record: ProcessRecord,
    mailbox: MailboxDefinition,
  ): MailboxInvoker => {
    if (mailbox.invoker === undefined && !this.hasGlobalEnhancers()) {
      const direct = this.createDirectInvoker(
        (record.instance as object).constructor as MetadataTarget,
        mailbox,
      );
      if (direct !== undefined) {
        mailbox.contextFree = !direct.takesContext;
        return (mailbox.invoker = direct.invoker);
      }
    }
    const instance = record.instance as Record<string, AnyMethod>;
    const method = instance[mailbox.methodKey];
    const manager = this.processManager;
    const callback = function (this: unknown, ...args: unknown[]): unknown {
      const previous = manager.current;
      manager.current = record;
      try {
        return method.apply(this, args);
      } finally {
        manager.current = previous;
      }
    };
    // Guards, interceptors, pipes, filters and Reflector lookups read the handler's metadata.
    for (const key of Reflect.getMetadataKeys(method)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, method), callback);
    }
    Object.defineProperty(callback, 'name', { value: method.name });
    return this.externalContextCreator.create(
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
        // Without a custom filter Nest's default one only logs and rethrows; the process
        // manager logs the failure itself, with the process, mailbox and sender.
        filters: this.hasExceptionFilters(
          (record.instance as object).constructor as MetadataTarget,
          method,
        ),
      },
      'rpc',
    );
  };

  /**
   * The hot path: when neither the app nor the class or method declares a guard,
   * interceptor, pipe or exception filter, and the parameters are only `@Payload()` /
   * `@Ctx()`, Nest's pipeline would only add promise hops around the call. The method is
   * then called directly (the same arguments, the same error and result handling), through
   * one invoker shared by every instance of the class.
   */
  private createDirectInvoker(
    classRef: MetadataTarget,
    mailbox: MailboxDefinition,
  ): DirectCall | undefined {
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
    const plan: Array<{ index: number; type: number; data?: string }> = [];
    for (const [key, param] of Object.entries(params)) {
      const type = Number(key.split(':')[0]);
      if (
        (type !== RPC_PAYLOAD && type !== RPC_CONTEXT) ||
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
      const takesContext =
        declared === undefined ||
        declared.length !== method.length ||
        declared.length > 1;
      return {
        invoker: (payload, ctx, instance) =>
          method.call(instance, payload, ctx),
        takesContext,
      };
    }
    // As Nest: the decorated parameters get their values, every other one is undefined.
    const length = Math.max(...plan.map((p) => p.index)) + 1;
    const resolvers = new Array<ArgumentOf>(length).fill(missingArgument);
    for (const { index, type, data } of plan) {
      resolvers[index] =
        type === RPC_CONTEXT
          ? contextArgument
          : data
            ? fieldArgument(data)
            : payloadArgument;
    }
    const takesContext = plan.some((p) => p.type === RPC_CONTEXT);
    const invoker = callWith(method, resolvers);
    return { invoker, takesContext };
  }

  private hasExceptionFilters(
    classRef: MetadataTarget,
    method: AnyMethod,
  ): boolean {
    const creator = (
      this.externalContextCreator as unknown as Record<
        string,
        EnhancerContextCreator | undefined
      >
    ).filtersContextCreator;
    return (
      typeof creator?.getGlobalMetadata !== 'function' ||
      hasEntries(creator.getGlobalMetadata()) ||
      hasEntries(creator.config?.getGlobalRequestFilters?.()) ||
      hasEntries(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, classRef)) ||
      hasEntries(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method))
    );
  }

  /** True when the app has global (or request-scoped global) enhancers. */
  private hasGlobalEnhancers(): boolean {
    const internals = this.externalContextCreator as unknown as Record<
      string,
      EnhancerContextCreator | undefined
    >;
    for (const name of ENHANCER_CONTEXT_CREATORS) {
      const creator = internals[name];
      // Unknown Nest internals: keep the full pipeline.
      if (typeof creator?.getGlobalMetadata !== 'function') return true;
      if (hasEntries(creator.getGlobalMetadata())) return true;
      const config = creator.config;
      if (
        hasEntries(config?.getGlobalRequestGuards?.()) ||
        hasEntries(config?.getGlobalRequestInterceptors?.()) ||
        hasEntries(config?.getGlobalRequestPipes?.()) ||
        hasEntries(config?.getGlobalRequestFilters?.())
      ) {
        return true;
      }
    }
    return false;
  }

  private resolveCodec(
    type: Parameters<ProtobufRegistry['resolve']>[0],
    processId: string,
    method: string,
  ): ProtobufCodec {
    try {
      return this.protobufRegistry.resolve(type);
    } catch (error) {
      if (error instanceof UnknownProtobufTypeError) {
        throw new UnknownProtobufTypeError(error.typeName, {
          processId,
          method,
        });
      }
      throw error;
    }
  }
}
