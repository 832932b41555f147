import { ConfigurableModuleBuilder } from '@nestjs/common';

import type { ActorModuleOptions } from './interfaces/actor-module-options.interface.js';

/**
 * `forRoot` / `forRootAsync` of `ActorModule`; the options token is `ACTOR_MODULE_OPTIONS`.
 * The module is global unless `isGlobal: false` is passed.
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: ACTOR_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ActorModuleOptions>({ moduleName: 'Actor' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createActorOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
