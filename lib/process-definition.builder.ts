import { Injectable } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';

import {
  ActorMetadataAccessor,
  type MetadataTarget,
} from './actor-metadata.accessor.js';
import { DuplicateMailboxError } from './errors/duplicate-mailbox.error.js';
import { UnknownProtobufTypeError } from './errors/unknown-protobuf-type.error.js';
import type { ProtobufTypeRef } from './interfaces/protobuf-type.interface.js';
import type {
  MailboxDefinition,
  ProcessDefinition,
  RouteDefinition,
} from './runtime/process-definition.js';
import {
  type ProtobufCodec,
  ProtobufRegistry,
} from './runtime/protobuf.registry.js';

/**
 * Reads what a process class declares (`@Mailbox`, `@ProtobufMailbox`, `@Route`, the hooks)
 * into a `ProcessDefinition`, once per class: every process of the class shares it.
 */
@Injectable()
export class ProcessDefinitionBuilder {
  private readonly definitions = new WeakMap<object, ProcessDefinition>();

  constructor(
    private readonly metadataScanner: MetadataScanner,
    private readonly metadataAccessor: ActorMetadataAccessor,
    private readonly protobufRegistry: ProtobufRegistry,
  ) {}

  /**
   * The declarations of a process class (cached per class).
   * @param processId how the process is named in errors (default: its `@Process()` id)
   * @throws DuplicateMailboxError, UnknownProtobufTypeError
   */
  build(classRef: MetadataTarget, processId?: string): ProcessDefinition {
    const cached = this.definitions.get(classRef);
    if (cached) return cached;
    const baseId = this.metadataAccessor.getProcessMetadata(classRef)?.id;
    const shownId = processId ?? baseId ?? classRef.name;
    const prototype = classRef.prototype as Record<string, MetadataTarget>;
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
        const definition: MailboxDefinition = {
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

  private resolveCodec(
    type: ProtobufTypeRef,
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
