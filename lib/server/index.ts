export * from './server-libprocess.js';
