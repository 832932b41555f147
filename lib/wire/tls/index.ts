export {
  DEFAULT_TLS_CIPHERS,
  DEFAULT_TLS_ECDH_CURVES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
  DEFAULT_TLS_VERIFICATION_DEPTH,
  TLS_ENV,
} from './tls.constants.js';
export { TlsConfigError } from './tls-config.error.js';
export { loadTlsContext, type TlsContext } from './tls-context.js';
export type {
  TlsHostnameValidationScheme,
  TlsOptions,
  TlsProtocolVersion,
  TlsSettings,
} from './tls-options.interface.js';
export {
  resolveTlsSettings,
  type ResolvedTls,
  type TlsEnvironment,
} from './tls-settings.js';
