export * from './actor-ref.service.js';
export * from './delay.registry.js';
