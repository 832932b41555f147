export * from './libprocess.events.js';
