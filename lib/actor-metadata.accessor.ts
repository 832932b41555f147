import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import {
  MAILBOX_METADATA,
  ON_EXITED_METADATA,
  ON_INITIALIZE_METADATA,
  ON_LINKED_METADATA,
  PROCESS_METADATA,
  ROUTE_METADATA,
} from './actor.constants.js';
import type { MailboxMetadata } from './decorators/mailbox.decorator.js';
import type { RouteMetadata } from './decorators/route.decorator.js';
import type { ProcessOptions } from './interfaces/process-options.interface.js';

/** A class or a method: what decorators put metadata on. */
export type MetadataTarget =
  ((...args: any[]) => unknown) | (abstract new (...args: any[]) => unknown);

/** Reads the metadata of the actor decorators. */
@Injectable()
export class ActorMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  isProcess(target: MetadataTarget): boolean {
    return !!this.getProcessMetadata(target);
  }

  getProcessMetadata(target: MetadataTarget): ProcessOptions | undefined {
    return this.reflector.get<ProcessOptions | undefined>(
      PROCESS_METADATA,
      target,
    );
  }

  getMailboxMetadata(method: MetadataTarget): MailboxMetadata | undefined {
    return this.reflector.get<MailboxMetadata | undefined>(
      MAILBOX_METADATA,
      method,
    );
  }

  getRouteMetadata(method: MetadataTarget): RouteMetadata | undefined {
    return this.reflector.get<RouteMetadata | undefined>(
      ROUTE_METADATA,
      method,
    );
  }

  isOnExited(method: MetadataTarget): boolean {
    return !!this.reflector.get<boolean>(ON_EXITED_METADATA, method);
  }

  isOnLinked(method: MetadataTarget): boolean {
    return !!this.reflector.get<boolean>(ON_LINKED_METADATA, method);
  }

  isOnInitialize(method: MetadataTarget): boolean {
    return !!this.reflector.get<boolean>(ON_INITIALIZE_METADATA, method);
  }
}
