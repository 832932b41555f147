export { BindError } from './errors/bind.error.js';
export { InvalidUpidError } from './errors/invalid-upid.error.js';
export { RequestParseError } from './errors/request-parse.error.js';
export { WireError } from './errors/wire.error.js';
export { HttpRequestDecoder } from './http-request-decoder.js';
export { RequestKind } from './libprocess-message.js';
export {
  encodeMessage,
  encodeMessageHead,
  isValidMessageName,
} from './message-encoder.js';
export type { MessageHold } from './message-hold.js';
export { Upid } from './upid.js';
export { WireNode, type WireNodeEvents } from './wire-node.js';
export {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_SHUTDOWN_GRACE_PERIOD,
  DEFAULT_WIRE_IP,
  DEFAULT_WIRE_LIMITS,
  DEFAULT_WIRE_PORT,
  WIRE_ENV,
} from './wire.constants.js';
export type {
  HttpRequestSink,
  WireLimits,
  WireMessage,
  WireNodeHandlers,
  WireNodeOptions,
  WireRequest,
  WireResponse,
} from './wire.interfaces.js';
export {
  DEFAULT_TLS_CIPHERS,
  DEFAULT_TLS_ECDH_CURVES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
  DEFAULT_TLS_VERIFICATION_DEPTH,
  loadTlsContext,
  resolveTlsSettings,
  TLS_ENV,
  TlsConfigError,
  type ResolvedTls,
  type TlsContext,
  type TlsEnvironment,
  type TlsHostnameValidationScheme,
  type TlsOptions,
  type TlsProtocolVersion,
  type TlsSettings,
} from './tls/index.js';
