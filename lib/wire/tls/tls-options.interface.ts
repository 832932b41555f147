/**
 * How a certificate's name is checked against the peer (`LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME`).
 *
 * - `legacy` (default): after the handshake, the peer's IP address is reverse-resolved and the
 *   name compared with the certificate's DNS SANs and common name (IP SANs too with
 *   `verifyIpAdd`); on both sides of a connection, whenever that side verifies.
 * - `openssl`: the connecting side checks, during the handshake, the host the PID was written
 *   with (`master@mesos-1:5050` -> `mesos-1`; an IP literal needs `verifyIpAdd`, which checks an
 *   IP SAN); the accepting side checks no name.
 *
 * @publicApi
 */
export type TlsHostnameValidationScheme = 'legacy' | 'openssl';

/**
 * TLS settings of a node: the `ssl` option of `WireNode` and `ActorModule.forRoot()`. Every
 * field mirrors the `LIBPROCESS_SSL_*` variable of C++ libprocess with the same meaning and
 * default; a field left undefined falls back to its variable (or the legacy `SSL_*` spelling),
 * then to libprocess' default. Explicit options always win over the environment.
 *
 * @publicApi
 */
export interface TlsOptions {
  /** `LIBPROCESS_SSL_ENABLED` (false): every accepted and opened connection speaks TLS. */
  enabled?: boolean;
  /** `LIBPROCESS_SSL_CERT_FILE`: PEM certificate (chain) of this node, server and client role. */
  certFile?: string;
  /** `LIBPROCESS_SSL_KEY_FILE`: PEM private key of `certFile` (unencrypted). */
  keyFile?: string;
  /**
   * `LIBPROCESS_SSL_SUPPORT_DOWNGRADE` (false): the listener also serves plain connections
   * (told apart by their first bytes), and an outbound connection whose TLS handshake fails is
   * retried once over plain TCP. Makes verification bypassable, as in libprocess.
   */
  supportDowngrade?: boolean;
  /**
   * `LIBPROCESS_SSL_VERIFY_SERVER_CERT` (legacy `VERIFY_CERT`; false): outbound connections
   * verify the server's chain against `caFile`/`caDir` (default store when neither is set) and
   * its name per `hostnameValidationScheme`.
   */
  verifyServerCert?: boolean;
  /**
   * `LIBPROCESS_SSL_REQUIRE_CLIENT_CERT` (legacy `REQUIRE_CERT`; false): the listener demands a
   * client certificate signed by a trusted CA. Implies `verifyServerCert`.
   */
  requireClientCert?: boolean;
  /** `LIBPROCESS_SSL_VERIFY_IPADD` (false): IP-address SANs count as a match. */
  verifyIpAdd?: boolean;
  /** `LIBPROCESS_SSL_VERIFICATION_DEPTH` (4): intermediate certificates allowed in a chain. */
  verificationDepth?: number;
  /** `LIBPROCESS_SSL_CA_DIR`: directory of PEM CA certificates (trust anchors, both directions). */
  caDir?: string;
  /** `LIBPROCESS_SSL_CA_FILE`: PEM file of CA certificates (trust anchors, both directions). */
  caFile?: string;
  /** `LIBPROCESS_SSL_CIPHERS`: OpenSSL cipher list for TLS <= 1.2 (libprocess' default list). */
  ciphers?: string;
  /** `LIBPROCESS_SSL_ECDH_CURVES` (`auto`): colon-separated curves for ECDHE suites. */
  ecdhCurves?: string;
  /** `LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME` (`legacy`). */
  hostnameValidationScheme?: TlsHostnameValidationScheme;
  /** `LIBPROCESS_SSL_ENABLE_SSL_V3` (false). Node.js cannot speak SSLv3: true is refused. */
  enableSslV3?: boolean;
  /** `LIBPROCESS_SSL_ENABLE_TLS_V1_0` (false). */
  enableTlsV1_0?: boolean;
  /** `LIBPROCESS_SSL_ENABLE_TLS_V1_1` (false). */
  enableTlsV1_1?: boolean;
  /** `LIBPROCESS_SSL_ENABLE_TLS_V1_2` (true). */
  enableTlsV1_2?: boolean;
  /** `LIBPROCESS_SSL_ENABLE_TLS_V1_3` (false, as in libprocess). */
  enableTlsV1_3?: boolean;
  /**
   * Milliseconds a TLS handshake may take (default 10 s; no variable: libprocess has no such
   * limit). Inbound, counted from the first byte of the handshake; outbound, from the TCP connect.
   */
  handshakeTimeout?: number;
}

/** The TLS protocol versions Node.js can speak, oldest first. */
export type TlsProtocolVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * Resolved TLS settings: every field set, each with where it came from (`sources`), for error
 * messages that name the variable or option to fix.
 *
 * @publicApi
 */
export interface TlsSettings {
  readonly enabled: boolean;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly supportDowngrade: boolean;
  /** Already true when `requireClientCert` is (libprocess' implication). */
  readonly verifyServerCert: boolean;
  readonly requireClientCert: boolean;
  readonly verifyIpAdd: boolean;
  readonly verificationDepth: number;
  readonly caDir: string | undefined;
  readonly caFile: string | undefined;
  readonly ciphers: string;
  readonly ecdhCurves: string;
  readonly hostnameValidationScheme: TlsHostnameValidationScheme;
  /** The enabled protocol versions, oldest first (never empty when `enabled`). */
  readonly versions: readonly TlsProtocolVersion[];
  readonly handshakeTimeout: number;
  /** OpenSSL's default trust store files/directories (`SSL_CERT_FILE`, `SSL_CERT_DIR`). */
  readonly defaultTrustFile: string | undefined;
  readonly defaultTrustDir: string | undefined;
  /** Where each setting came from: `ssl.certFile option`, `LIBPROCESS_SSL_CERT_FILE`, `default`. */
  readonly sources: Readonly<Record<keyof TlsOptions, string>>;
}
