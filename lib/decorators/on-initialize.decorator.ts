import { SetMetadata } from '@nestjs/common';

import { ON_INITIALIZE_METADATA } from '../actor.constants.js';

/**
 * Called with the process' own `Upid` once it is routable (after the server listens, or
 * right after `spawn()`), before any message. libprocess' `initialize()`.
 *
 * @publicApi
 */
export const OnInitialize = (): MethodDecorator =>
  SetMetadata(ON_INITIALIZE_METADATA, true);
