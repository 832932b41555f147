import { SetMetadata } from '@nestjs/common';

import { ON_LINKED_METADATA } from '../actor.constants.js';

/**
 * Called with the `Upid` of a process once a link to it (`ActorRef.link()`) is established.
 *
 * @publicApi
 */
export const OnLinked = (): MethodDecorator =>
  SetMetadata(ON_LINKED_METADATA, true);
