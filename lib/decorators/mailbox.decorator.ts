import { SetMetadata } from '@nestjs/common';

import { MAILBOX_METADATA } from '../actor.constants.js';
import type { ProtobufTypeRef } from '../interfaces/protobuf-type.interface.js';

/** @internal What `@Mailbox()` / `@ProtobufMailbox()` store on a method. */
export interface MailboxMetadata {
  name?: string;
  protobuf?: ProtobufTypeRef;
}

/**
 * Handles the libprocess messages named `name` sent to this process. `@Payload()` is the raw
 * body (a Buffer) and `@Ctx()` a `LibprocessContext`. Guards, interceptors, pipes and
 * exception filters apply as on a controller route.
 *
 * @param name the message name (the last segment of `POST /<id>/<name>`)
 *
 * @publicApi
 */
export const Mailbox = (name: string): MethodDecorator =>
  SetMetadata<string, MailboxMetadata>(MAILBOX_METADATA, { name });
