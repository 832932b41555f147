import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

import { ActorMetadataAccessor } from './actor-metadata.accessor.js';
import { ConfigurableModuleClass } from './actor-module.definition.js';
import { ACTOR_RUNTIME_PROVIDERS } from './actor-runtime.providers.js';
import { ActorExplorer } from './actor.explorer.js';
import { LibprocessHealthIndicator } from './health/libprocess.health.js';
import { MailboxInvokerFactory } from './mailbox-invoker.factory.js';
import { LibprocessMetrics } from './metrics/libprocess.metrics.js';
import { ProcessDefinitionBuilder } from './process-definition.builder.js';
import { LibprocessServer } from './server/server-libprocess.js';
import { ActorRef } from './services/actor-ref.service.js';
import { DelayRegistry } from './services/delay.registry.js';

/**
 * Makes the app a libprocess node whose `@Process()` providers and controllers are
 * addressable processes. Import it once with `forRoot()` / `forRootAsync()` (global), then
 * start `LibprocessServer` as a microservice strategy.
 *
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ...ACTOR_RUNTIME_PROVIDERS,
    ActorMetadataAccessor,
    ProcessDefinitionBuilder,
    MailboxInvokerFactory,
    ActorExplorer,
    LibprocessServer,
    ActorRef,
    DelayRegistry,
    LibprocessHealthIndicator,
    LibprocessMetrics,
  ],
  exports: [
    LibprocessServer,
    ActorRef,
    DelayRegistry,
    LibprocessHealthIndicator,
    LibprocessMetrics,
  ],
})
export class ActorModule extends ConfigurableModuleClass {}
