import { SetMetadata } from '@nestjs/common';

import { MAILBOX_METADATA } from '../actor.constants.js';
import type { ProtobufTypeRef } from '../interfaces/protobuf-type.interface.js';
import type { MailboxMetadata } from './mailbox.decorator.js';

/**
 * Handles the messages whose body is the protobuf message `type`. `@Payload()` receives the
 * decoded message: a plain object (`Type.toObject` with longs and enums as strings and bytes
 * as Buffers) for a type name or a reflection `Type`, the generated class instance for a
 * static class. A body that does not decode is logged and dropped.
 *
 * @param type the full type name (`'mesos.internal.FrameworkRegisteredMessage'`), a
 *   protobufjs `Type` or a static generated class
 * @param name the message name when it differs from the full type name (default)
 *
 * @publicApi
 */
export const ProtobufMailbox = (
  type: ProtobufTypeRef,
  name?: string,
): MethodDecorator =>
  SetMetadata<string, MailboxMetadata>(MAILBOX_METADATA, {
    name,
    protobuf: type,
  });
