export { ACTOR_MODULE_OPTIONS } from './actor-module.definition.js';
export {
  DEFAULT_ASK_TIMEOUT,
  LIBPROCESS_TRANSPORT,
} from './actor.constants.js';
export * from './actor.module.js';
export * from './client/index.js';
export * from './ctx-host/index.js';
export * from './decorators/index.js';
export * from './errors/index.js';
export * from './events/index.js';
export * from './health/index.js';
export * from './helpers/route-response.js';
export * from './interfaces/index.js';
export * from './server/index.js';
export * from './services/index.js';
export * from './wire/index.js';
