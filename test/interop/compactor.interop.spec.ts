import { describeWithPeer } from '../support/interop-gate.js';
import { registerInteropScenarios } from './interop-scenarios.js';
import { registerWireSmoke } from './wire-smoke.js';

describeWithPeer('compactor', (peer) => {
  registerWireSmoke(peer);
  registerInteropScenarios(peer);
});
