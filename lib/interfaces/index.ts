export * from './actor-module-options.interface.js';
export * from './actor-ref-options.interface.js';
export * from './process-options.interface.js';
export * from './protobuf-type.interface.js';
export * from './route-options.interface.js';
