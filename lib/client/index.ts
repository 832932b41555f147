export * from './client-libprocess.js';
