export * from './mesos-protos.js';
export * from './mesos.constants.js';
export * from './mesos.types.js';
