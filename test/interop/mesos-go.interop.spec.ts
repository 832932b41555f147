import { describeWithPeer } from '../support/interop-gate.js';
import { registerInteropScenarios } from './interop-scenarios.js';
import { registerWireSmoke } from './wire-smoke.js';

// mesos-go speaks only the mesos-go names, so every scenario here goes through the TS side's
// @ProtobufMailbox handlers and the library's protobuf encoding.
describeWithPeer('go', (peer) => {
  registerWireSmoke(peer);
  registerInteropScenarios(peer);
});
