export * from './libprocess.health.js';
