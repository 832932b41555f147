import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

import {
  ActorMetadataAccessor,
  type MetadataTarget,
} from './actor-metadata.accessor.js';
import { NON_STATIC_PROCESS } from './actor.messages.js';
import { MailboxInvokerFactory } from './mailbox-invoker.factory.js';
import { ProcessDefinitionBuilder } from './process-definition.builder.js';
import type { ProcessRecord } from './runtime/process-record.js';
import { ProcessManager } from './runtime/process-manager.js';

/**
 * Finds the `@Process()` providers and controllers at startup and makes each a process of
 * the runtime, its handlers bound at once (as `BullExplorer` / `ScheduleExplorer` do):
 * the definition of its class from `ProcessDefinitionBuilder`, its handlers from
 * `MailboxInvokerFactory`. `ActorRef.spawn()` goes through `addProcess()` the same way.
 */
@Injectable()
export class ActorExplorer implements OnModuleInit {
  private readonly logger = new Logger('ActorModule');

  constructor(
    private readonly discoveryService: DiscoveryService,
    private readonly metadataAccessor: ActorMetadataAccessor,
    private readonly definitionBuilder: ProcessDefinitionBuilder,
    private readonly invokerFactory: MailboxInvokerFactory,
    private readonly processManager: ProcessManager,
  ) {}

  onModuleInit(): void {
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
