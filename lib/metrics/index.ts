export * from './libprocess.metrics.js';
export * from './prometheus.bridge.js';
