import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  PATTERN_METADATA,
  TRANSPORT_METADATA,
} from '@nestjs/microservices/constants.js';

import {
  ActorMetadataAccessor,
  type MetadataTarget,
} from './actor-metadata.accessor.js';
import { LIBPROCESS_TRANSPORT } from './actor.constants.js';
import { ACTOR_MODULE_OPTIONS } from './actor-module.definition.js';
import {
  IMPORTED_TWICE,
  NEVER_LISTENED,
  NON_STATIC_PROCESS,
} from './actor.messages.js';
import type { ActorModuleOptions } from './interfaces/actor-module-options.interface.js';
import { MailboxInvokerFactory } from './mailbox-invoker.factory.js';
import { ProcessDefinitionBuilder } from './process-definition.builder.js';
import type { ProcessRecord } from './runtime/process-record.js';
import { ProcessManager } from './runtime/process-manager.js';
import { recordOf } from './runtime/process-table.js';

/**
 * Finds the `@Process()` providers and controllers at startup and makes each a process of
 * the runtime, its handlers bound at once (as `BullExplorer` / `ScheduleExplorer` do):
 * the definition of its class from `ProcessDefinitionBuilder`, its handlers from
 * `MailboxInvokerFactory`. `ActorRef.spawn()` goes through `addProcess()` the same way.
 */
/** Seconds after bootstrap when processes without a listening server are reported. */
const LISTEN_CHECK_SECONDS = 5;

@Injectable()
export class ActorExplorer
  implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('ActorModule');
  private listenCheck: NodeJS.Timeout | undefined;
  /** Controllers declaring `@EventPattern('<id>/<name>')` handlers, by process id. */
  private readonly patternOwners = new Map<string, Set<object>>();

  constructor(
    private readonly discoveryService: DiscoveryService,
    private readonly metadataScanner: MetadataScanner,
    private readonly metadataAccessor: ActorMetadataAccessor,
    private readonly definitionBuilder: ProcessDefinitionBuilder,
    private readonly invokerFactory: MailboxInvokerFactory,
    private readonly processManager: ProcessManager,
    @Inject(ACTOR_MODULE_OPTIONS) private readonly options: ActorModuleOptions,
  ) {}

  onModuleInit(): void {
    this.warnIfImportedTwice();
    this.explore();
    this.findEventPatternOwners();
  }

  /** Forgetting createMicroservice/connectMicroservice would be silent otherwise. */
  onApplicationBootstrap(): void {
    this.listenCheck = setTimeout(() => {
      this.listenCheck = undefined;
      if (this.processManager.isStarted) return;
      const ids = [...this.processManager.records()].map((r) => r.id);
      if (ids.length > 0) {
        this.logger.warn(NEVER_LISTENED(ids, LISTEN_CHECK_SECONDS));
      }
    }, LISTEN_CHECK_SECONDS * 1000);
    this.listenCheck.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.listenCheck);
    this.listenCheck = undefined;
  }

  /**
   * The controller whose `@EventPattern('<id>/<name>')` handlers make up the process `<id>`,
   * when exactly one controller declares them and it is not a process already: it becomes
   * the process' instance, so that `{ from: this }` and `self(this)` work in its handlers.
   */
  eventPatternOwner(id: string): object | undefined {
    const owners = this.patternOwners.get(id);
    if (owners === undefined || owners.size !== 1) return undefined;
    const [owner] = owners;
    return recordOf(owner) === undefined ? owner : undefined;
  }

  explore(): void {
    const seen = new Set<object>();
    const wrappers = [
      ...this.discoveryService.getProviders(),
      ...this.discoveryService.getControllers(),
    ];
    for (const wrapper of wrappers) {
      const { instance } = wrapper;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) {
        continue;
      }
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
      this.addProcess(instance, options.id);
    }
  }

  /** Warns once (from the second import on) when forRoot() is imported more than once. */
  private warnIfImportedTwice(): void {
    const imports = this.discoveryService
      .getProviders()
      .filter((wrapper) => wrapper.token === ACTOR_MODULE_OPTIONS);
    if (imports.length > 1 && imports[0].instance !== this.options) {
      this.logger.warn(IMPORTED_TWICE(imports.length));
    }
  }

  private findEventPatternOwners(): void {
    for (const wrapper of this.discoveryService.getControllers()) {
      const { instance } = wrapper;
      if (
        !instance ||
        typeof instance !== 'object' ||
        !wrapper.isDependencyTreeStatic()
      ) {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as Record<
        string,
        object
      >;
      for (const key of this.metadataScanner.getAllMethodNames(prototype)) {
        const method = prototype[key];
        const transport: unknown = Reflect.getMetadata(
          TRANSPORT_METADATA,
          method,
        );
        const patterns: unknown = Reflect.getMetadata(PATTERN_METADATA, method);
        if (!Array.isArray(patterns)) continue;
        if (transport !== undefined && transport !== LIBPROCESS_TRANSPORT)
          continue;
        for (const pattern of patterns) {
          if (typeof pattern !== 'string') continue;
          const slash = pattern.indexOf('/');
          if (slash <= 0) continue;
          const id = pattern.slice(0, slash);
          let owners = this.patternOwners.get(id);
          if (owners === undefined)
            this.patternOwners.set(id, (owners = new Set()));
          owners.add(instance as object);
        }
      }
    }
  }

  /**
   * Makes `instance` the process `id` (default: a generated `base(N)`, `base` being the
   * `@Process()` id of its class or its class name in lower camel case).
   * @throws DuplicateProcessError, DuplicateMailboxError, UnknownProtobufTypeError
   */
  addProcess(instance: object, id?: string): ProcessRecord {
    const definition = this.definitionBuilder.build(
      instance.constructor as MetadataTarget,
      id,
    );
    const handlers = this.invokerFactory.create(instance, definition);
    return this.processManager.register(
      id ??
        this.processManager.generateId(
          definition.baseId ?? lowerFirst(definition.className),
        ),
      instance,
      definition,
      handlers,
    );
  }
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
