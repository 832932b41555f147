export * from './libprocess.context.js';
