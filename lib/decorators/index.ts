export * from './mailbox.decorator.js';
export * from './on-exited.decorator.js';
export * from './on-initialize.decorator.js';
export * from './on-linked.decorator.js';
export * from './process.decorator.js';
export * from './protobuf-mailbox.decorator.js';
export * from './route.decorator.js';
