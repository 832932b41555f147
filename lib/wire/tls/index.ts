export * from './tls.constants.js';
export * from './tls-config.error.js';
export { loadTlsContext, type TlsContext } from './tls-context.js';
export type * from './tls-options.interface.js';
export {
  resolveTlsSettings,
  type ResolvedTls,
  type TlsEnvironment,
} from './tls-settings.js';
