/** Node's and OpenSSL's TLS errors, reworded for one log line. */
export function describeTlsError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') return 'connection reset by the peer';
  // "...:error:0A00009C:SSL routines::http request" -> "http request"
  const reason = /SSL routines:[^:]*:([^:\n]+)/.exec(error.message)?.[1];
  return reason?.trim() ?? error.message;
}

/** True for an error of the peer's certificate (chain or name), as Node reports them. */
export function isCertificateError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return (
    typeof code === 'string' &&
    (CERTIFICATE_ERROR_CODES.has(code) ||
      code === 'ERR_TLS_CERT_ALTNAME_INVALID')
  );
}

/**
 * True for the failures of {@link tlsDialer}'s handshake and verification (codes `ETLS...`).
 * They are always reported, even on a connection that only carries links: they mean a
 * configuration mismatch someone must fix.
 */
export function isTlsFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ETLS');
}

/** OpenSSL X509 verification errors as Node reports them (`rejectUnauthorized`). */
const CERTIFICATE_ERROR_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);
