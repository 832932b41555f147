export {
  type InterceptedMessage,
  type MessageDrop,
} from './message-interceptor.js';
export type {
  MessageFilter,
  MessageName,
  ProcessMatcher,
} from './message-matcher.js';
export {
  type ExpectMessageOptions,
  Probe,
  type ProbeMessage,
  type ProbeOptions,
  type ProbeRouteHandler,
} from './probe.js';
export {
  createTestingNode,
  TestingNode,
  type TestingNodeOptions,
} from './testing-node.js';
