export { LIBPROCESS_TRANSPORT } from './actor.constants.js';
export { ActorModule } from './actor.module.js';
export {
  LibprocessClient,
  type LibprocessClientOptions,
  type LibprocessPattern,
} from './client/client-libprocess.js';
export { LibprocessContext } from './ctx-host/libprocess.context.js';
export { Mailbox } from './decorators/mailbox.decorator.js';
export { OnExited } from './decorators/on-exited.decorator.js';
export { OnInitialize } from './decorators/on-initialize.decorator.js';
export { OnLinked } from './decorators/on-linked.decorator.js';
export { Process } from './decorators/process.decorator.js';
export { ProtobufMailbox } from './decorators/protobuf-mailbox.decorator.js';
export { Route } from './decorators/route.decorator.js';
export { AskTimeoutError } from './errors/ask-timeout.error.js';
export { DuplicateMailboxError } from './errors/duplicate-mailbox.error.js';
export { DuplicateProcessError } from './errors/duplicate-process.error.js';
export { LibprocessError } from './errors/libprocess.error.js';
export { NotListeningError } from './errors/not-listening.error.js';
export { ProcessNotFoundError } from './errors/process-not-found.error.js';
export { ProcessTerminatedError } from './errors/process-terminated.error.js';
export { ProtobufFilesError } from './errors/protobuf-files.error.js';
export { RequestResponseUnsupportedError } from './errors/request-response-unsupported.error.js';
export { SenderRequiredError } from './errors/sender-required.error.js';
export { UnknownProtobufTypeError } from './errors/unknown-protobuf-type.error.js';
export {
  type LibprocessEvents,
  LibprocessEventsMap,
  LibprocessStatus,
} from './events/libprocess.events.js';
export {
  LibprocessHealthIndicator,
  type LibprocessHealthOptions,
  type LibprocessHealthResult,
} from './health/libprocess.health.js';
export type {
  ActorModuleOptions,
  ActorOptionsFactory,
  ActorProtobufOptions,
} from './interfaces/actor-module-options.interface.js';
export type {
  AskOptions,
  AskReply,
  DelayHandle,
  ProcessRef,
  ProtoAskOptions,
  ProtoAskReply,
  ProtoSendOptions,
  SendOptions,
  TerminateOptions,
} from './interfaces/actor-ref-options.interface.js';
export type { ProcessOptions } from './interfaces/process-options.interface.js';
export type {
  ProtobufStaticClass,
  ProtobufTypeRef,
} from './interfaces/protobuf-type.interface.js';
export type { RouteOptions } from './interfaces/route-options.interface.js';
export { LibprocessMetrics } from './metrics/libprocess.metrics.js';
export {
  type LibprocessPrometheusOptions,
  type PromClientModule,
  registerLibprocessMetrics,
} from './metrics/prometheus.bridge.js';
export { RouteResponse } from './runtime/route-response.js';
export type {
  ProcessMetrics,
  RuntimeMetrics,
} from './runtime/runtime-metrics.js';
export { LibprocessServer } from './server/server-libprocess.js';
export { ActorRef, type MessageBody } from './services/actor-ref.service.js';
export { DelayRegistry } from './services/delay.registry.js';
export {
  BindError,
  InvalidUpidError,
  RequestParseError,
  TlsConfigError,
  type TlsOptions,
  Upid,
  WireError,
  type WireLimits,
  type WireMessage,
  WireNode,
  type WireNodeEvents,
  type WireNodeHandlers,
  type WireNodeOptions,
  type WireRequest,
  type WireResponse,
} from './wire/index.js';
