import { SetMetadata } from '@nestjs/common';

import { ON_EXITED_METADATA } from '../actor.constants.js';

/**
 * Called with the `Upid` of a process this one linked to (`ActorRef.link()`) when it went
 * away: its node's connection closed or failed, or (locally) it was terminated. Runs on the
 * process' queue like a message.
 *
 * @publicApi
 */
export const OnExited = (): MethodDecorator =>
  SetMetadata(ON_EXITED_METADATA, true);
