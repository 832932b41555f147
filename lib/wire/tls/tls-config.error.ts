import { WireError } from '../errors/wire.error.js';

/**
 * A TLS setting that cannot work: a missing or unreadable file, a certificate that does not
 * match its key, a bad value, a combination Node.js cannot do. `listen()` rejects with it.
 * `setting` names what to fix: the variable (`LIBPROCESS_SSL_CERT_FILE`) or the option
 * (`ssl.certFile option`) the value came from.
 *
 * @publicApi
 */
export class TlsConfigError extends WireError {
  constructor(
    message: string,
    readonly setting: string,
    options?: { cause?: unknown },
  ) {
    super(message, 'ETLSCONFIG', undefined, options);
  }
}
