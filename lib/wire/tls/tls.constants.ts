/**
 * C++ libprocess' default cipher list (`LIBPROCESS_SSL_CIPHERS`). With OpenSSL 3 only
 * `AES128-SHA` and `AES256-SHA` of it remain usable (no RC4, and no DH parameters are set for
 * the DHE suites), so certificates must be RSA unless the list is changed.
 *
 * @publicApi
 */
export const DEFAULT_TLS_CIPHERS =
  'AES128-SHA:AES256-SHA:RC4-SHA:DHE-RSA-AES128-SHA:DHE-DSS-AES128-SHA:' +
  'DHE-RSA-AES256-SHA:DHE-DSS-AES256-SHA';

/** Default `LIBPROCESS_SSL_VERIFICATION_DEPTH` (intermediate certificates allowed). @publicApi */
export const DEFAULT_TLS_VERIFICATION_DEPTH = 4;

/** Default `LIBPROCESS_SSL_ECDH_CURVES`: let OpenSSL pick. @publicApi */
export const DEFAULT_TLS_ECDH_CURVES = 'auto';

/**
 * Default time (ms) an inbound TLS handshake may take, counted from its first byte (or from the
 * accept when downgrades are off), and an outbound one, counted from the TCP connect. C++
 * libprocess has none; without one a client that never finishes its handshake would hold a
 * socket and OpenSSL state forever.
 *
 * @publicApi
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT = 10_000;

/** Prefix of the variables C++ libprocess reads; `SSL_` is its legacy spelling. @publicApi */
export const TLS_ENV_PREFIX = 'LIBPROCESS_SSL_';
/** @publicApi */
export const TLS_LEGACY_ENV_PREFIX = 'SSL_';

/**
 * The `LIBPROCESS_SSL_*` variable (without prefix) behind each `ssl` option. Each is also read
 * as `SSL_<NAME>`; `LIBPROCESS_SSL_<NAME>` wins when both are set. `VERIFY_CERT` and
 * `REQUIRE_CERT` are libprocess' older names of `VERIFY_SERVER_CERT` and
 * `REQUIRE_CLIENT_CERT`: either name set to true turns the setting on.
 *
 * @publicApi
 */
export const TLS_ENV = Object.freeze({
  enabled: 'ENABLED',
  supportDowngrade: 'SUPPORT_DOWNGRADE',
  certFile: 'CERT_FILE',
  keyFile: 'KEY_FILE',
  verifyServerCert: 'VERIFY_SERVER_CERT',
  requireClientCert: 'REQUIRE_CLIENT_CERT',
  verifyIpAdd: 'VERIFY_IPADD',
  verificationDepth: 'VERIFICATION_DEPTH',
  caDir: 'CA_DIR',
  caFile: 'CA_FILE',
  ciphers: 'CIPHERS',
  ecdhCurves: 'ECDH_CURVES',
  hostnameValidationScheme: 'HOSTNAME_VALIDATION_SCHEME',
  enableSslV3: 'ENABLE_SSL_V3',
  enableTlsV1_0: 'ENABLE_TLS_V1_0',
  enableTlsV1_1: 'ENABLE_TLS_V1_1',
  enableTlsV1_2: 'ENABLE_TLS_V1_2',
  enableTlsV1_3: 'ENABLE_TLS_V1_3',
} as const);

/** libprocess' deprecated names, read in addition to the current ones. */
export const TLS_ENV_DEPRECATED = Object.freeze({
  verifyServerCert: 'VERIFY_CERT',
  requireClientCert: 'REQUIRE_CERT',
} as const);

/**
 * OpenSSL's own variables for its default trust store. Many machines export them for every
 * tool; `SSL_CERT_FILE` collides with libprocess' legacy spelling of `LIBPROCESS_SSL_CERT_FILE`
 * (see `resolveTlsSettings`).
 */
export const OPENSSL_CERT_FILE_ENV = 'SSL_CERT_FILE';
export const OPENSSL_CERT_DIR_ENV = 'SSL_CERT_DIR';
