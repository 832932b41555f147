import {
  DEFAULT_TLS_CIPHERS,
  DEFAULT_TLS_ECDH_CURVES,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT,
  DEFAULT_TLS_VERIFICATION_DEPTH,
  OPENSSL_CERT_DIR_ENV,
  OPENSSL_CERT_FILE_ENV,
  TLS_ENV,
  TLS_ENV_DEPRECATED,
  TLS_ENV_PREFIX,
  TLS_LEGACY_ENV_PREFIX,
} from './tls.constants.js';
import { TlsConfigError } from './tls-config.error.js';
import type {
  TlsHostnameValidationScheme,
  TlsOptions,
  TlsProtocolVersion,
  TlsSettings,
} from './tls-options.interface.js';

/** The environment as `process.env` holds it. */
export type TlsEnvironment = Readonly<Record<string, string | undefined>>;

/** Resolved settings and the warnings libprocess would log for them. */
export interface ResolvedTls {
  settings: TlsSettings;
  /** Deprecated names, mismatched spellings, verification made bypassable by downgrades. */
  warnings: string[];
}

type Key = keyof TlsOptions;
type EnvKey = keyof typeof TLS_ENV;

/** A raw value and where it came from. */
interface Raw {
  text: string;
  source: string;
}

const VERSION_KEYS = [
  ['enableTlsV1_0', 'TLSv1'],
  ['enableTlsV1_1', 'TLSv1.1'],
  ['enableTlsV1_2', 'TLSv1.2'],
  ['enableTlsV1_3', 'TLSv1.3'],
] as const satisfies readonly (readonly [EnvKey, TlsProtocolVersion])[];

/**
 * Resolves the TLS settings of a node from its `ssl` option and the environment, the way C++
 * libprocess reads `LIBPROCESS_SSL_*` (`3rdparty/libprocess/src/openssl.cpp`): same names,
 * defaults and meaning. Pure: reads nothing but `env`, touches no file (see
 * `loadTlsContext` for that).
 *
 * - An option that is not undefined wins over the environment; then `LIBPROCESS_SSL_<NAME>`,
 *   then the legacy `SSL_<NAME>` (a warning when both are set and differ), then the default.
 * - Booleans are `true|false|1|0` exactly, as libprocess parses them; anything else throws.
 * - `VERIFY_CERT` / `REQUIRE_CERT` (deprecated names) turn their setting on too, with a warning;
 *   `requireClientCert` implies `verifyServerCert`.
 * - **`SSL_CERT_FILE`** is OpenSSL's variable for its CA bundle, exported machine-wide on many
 *   hosts (this project's machines included). libprocess takes it as its own certificate when
 *   `LIBPROCESS_SSL_CERT_FILE` is unset and then fails with "key values mismatch". Here it is the
 *   certificate only as part of a complete legacy configuration, i.e. when the key comes from
 *   `SSL_KEY_FILE` too; otherwise it keeps OpenSSL's meaning: with `SSL_CERT_DIR`, the default
 *   trust store used when verification is on and neither `CA_FILE` nor `CA_DIR` is set.
 *
 * Values are validated even when TLS is off (libprocess refuses a bad boolean either way); what
 * TLS needs to run (certificate, key, a protocol version) only when it is on.
 *
 * @throws TlsConfigError naming the variable or option of a bad value.
 */
export function resolveTlsSettings(
  options: TlsOptions | undefined,
  env: TlsEnvironment,
): ResolvedTls {
  const warnings: string[] = [];
  const sources = {} as Record<Key, string>;

  const raw = (key: EnvKey): Raw | undefined => {
    const option = options?.[key];
    if (option !== undefined) {
      sources[key] = `ssl.${key} option`;
      return { text: String(option), source: sources[key] };
    }
    const found = fromEnv(env, TLS_ENV[key], warnings);
    sources[key] = found?.source ?? 'default';
    return found;
  };
  const bool = (key: EnvKey, fallback: boolean): boolean => {
    const option = options?.[key];
    if (option !== undefined && typeof option !== 'boolean') {
      throw new TlsConfigError(
        `Invalid ssl.${key} option ${JSON.stringify(option)}: expected true or false`,
        `ssl.${key} option`,
      );
    }
    const value = raw(key);
    return value === undefined ? fallback : parseBoolean(value);
  };
  const text = (key: EnvKey): string | undefined => raw(key)?.text;

  const enabled = bool('enabled', false);
  const supportDowngrade = bool('supportDowngrade', false);

  const keyFile = text('keyFile');
  const certFile = resolveCertFile(options, env, sources);

  let verifyServerCert = bool('verifyServerCert', false);
  if (options?.verifyServerCert === undefined) {
    verifyServerCert =
      deprecatedFlag(env, 'verifyServerCert', sources, warnings) ||
      verifyServerCert;
  }
  let requireClientCert = bool('requireClientCert', false);
  if (options?.requireClientCert === undefined) {
    requireClientCert =
      deprecatedFlag(env, 'requireClientCert', sources, warnings) ||
      requireClientCert;
  }
  if (requireClientCert && !verifyServerCert) {
    // libprocess: "LIBPROCESS_SSL_REQUIRE_CERT implies server certificate verification".
    verifyServerCert = true;
    sources.verifyServerCert = `${sources.requireClientCert} (implied)`;
  }
  const verifyIpAdd = bool('verifyIpAdd', false);

  const depth = raw('verificationDepth');
  const verificationDepth =
    depth === undefined
      ? DEFAULT_TLS_VERIFICATION_DEPTH
      : parseCount(depth, 'a certificate chain depth');

  const caDir = text('caDir');
  const caFile = text('caFile');
  const ciphers = text('ciphers') ?? DEFAULT_TLS_CIPHERS;
  const ecdhCurves = text('ecdhCurves') ?? DEFAULT_TLS_ECDH_CURVES;

  const scheme = raw('hostnameValidationScheme');
  if (scheme !== undefined && !isScheme(scheme.text)) {
    throw new TlsConfigError(
      `Invalid ${scheme.source}=${JSON.stringify(scheme.text)}: expected legacy or openssl`,
      scheme.source,
    );
  }
  const hostnameValidationScheme = (scheme?.text ??
    'legacy') as TlsHostnameValidationScheme;

  const sslV3 = bool('enableSslV3', false);
  const versions: TlsProtocolVersion[] = [];
  for (const [key, version] of VERSION_KEYS) {
    if (bool(key, key === 'enableTlsV1_2')) versions.push(version);
  }

  let handshakeTimeout = DEFAULT_TLS_HANDSHAKE_TIMEOUT;
  sources.handshakeTimeout = 'default';
  if (options?.handshakeTimeout !== undefined) {
    handshakeTimeout = options.handshakeTimeout;
    sources.handshakeTimeout = 'ssl.handshakeTimeout option';
    // Timers clamp larger values to 1 ms.
    if (!(handshakeTimeout > 0 && handshakeTimeout <= 0x7fffffff)) {
      throw new TlsConfigError(
        `Invalid ssl.handshakeTimeout option ${String(handshakeTimeout)}: expected a positive number of milliseconds`,
        sources.handshakeTimeout,
      );
    }
  }

  if (enabled) {
    if (sslV3) {
      throw new TlsConfigError(
        `${sources.enableSslV3} is true, but Node.js (OpenSSL ${process.versions.openssl}) cannot speak SSLv3; unset it`,
        sources.enableSslV3,
      );
    }
    if (versions.length === 0) {
      throw new TlsConfigError(
        `TLS is enabled (${sources.enabled}) but every protocol version is disabled; ` +
          `set ${TLS_ENV_PREFIX}${TLS_ENV.enableTlsV1_2}=true (or another ENABLE_TLS_V1_x)`,
        sources.enableTlsV1_2,
      );
    }
    if (keyFile === undefined) {
      throw new TlsConfigError(
        `TLS is enabled (${sources.enabled}) but no private key is set: set ${TLS_ENV_PREFIX}${TLS_ENV.keyFile}`,
        `${TLS_ENV_PREFIX}${TLS_ENV.keyFile}`,
      );
    }
    if (certFile === undefined) {
      const machineCert = env[OPENSSL_CERT_FILE_ENV]?.trim();
      throw new TlsConfigError(
        `TLS is enabled (${sources.enabled}) but no certificate is set: set ${TLS_ENV_PREFIX}${TLS_ENV.certFile}` +
          (machineCert
            ? ` (${OPENSSL_CERT_FILE_ENV}=${machineCert} is OpenSSL's CA bundle variable; it is taken ` +
              `as the certificate only together with ${TLS_LEGACY_ENV_PREFIX}${TLS_ENV.keyFile})`
            : ''),
        `${TLS_ENV_PREFIX}${TLS_ENV.certFile}`,
      );
    }
    if (supportDowngrade && verifyServerCert) {
      warnings.push(
        `TLS certificate verification is on (${sources.verifyServerCert}), but downgrades ` +
          `(${sources.supportDowngrade}) let a peer bypass it`,
      );
    }
  }

  const settings: TlsSettings = {
    enabled,
    certFile,
    keyFile,
    supportDowngrade,
    verifyServerCert,
    requireClientCert,
    verifyIpAdd,
    verificationDepth,
    caDir,
    caFile,
    ciphers,
    ecdhCurves,
    hostnameValidationScheme,
    versions,
    handshakeTimeout,
    defaultTrustFile:
      certFile !== undefined && sources.certFile === OPENSSL_CERT_FILE_ENV
        ? undefined
        : nonEmpty(env[OPENSSL_CERT_FILE_ENV]),
    defaultTrustDir: nonEmpty(env[OPENSSL_CERT_DIR_ENV]),
    sources,
  };
  return { settings, warnings };
}

/** `LIBPROCESS_SSL_<name>`, else `SSL_<name>`; warns when both are set and differ. */
function fromEnv(
  env: TlsEnvironment,
  name: string,
  warnings: string[],
): Raw | undefined {
  const current = nonEmpty(env[TLS_ENV_PREFIX + name]);
  const legacy = nonEmpty(env[TLS_LEGACY_ENV_PREFIX + name]);
  if (current !== undefined) {
    if (legacy !== undefined && legacy !== current) {
      warnings.push(
        `Mismatched values for ${TLS_LEGACY_ENV_PREFIX}${name} and ${TLS_ENV_PREFIX}${name}: using ${TLS_ENV_PREFIX}${name}`,
      );
    }
    return { text: current, source: TLS_ENV_PREFIX + name };
  }
  if (legacy !== undefined) {
    return { text: legacy, source: TLS_LEGACY_ENV_PREFIX + name };
  }
  return undefined;
}

/** See {@link resolveTlsSettings} on `SSL_CERT_FILE`. */
function resolveCertFile(
  options: TlsOptions | undefined,
  env: TlsEnvironment,
  sources: Record<Key, string>,
): string | undefined {
  if (options?.certFile !== undefined) {
    sources.certFile = 'ssl.certFile option';
    return options.certFile;
  }
  const current = nonEmpty(env[TLS_ENV_PREFIX + TLS_ENV.certFile]);
  if (current !== undefined) {
    sources.certFile = TLS_ENV_PREFIX + TLS_ENV.certFile;
    return current;
  }
  const legacy = nonEmpty(env[OPENSSL_CERT_FILE_ENV]);
  if (
    legacy !== undefined &&
    sources.keyFile === TLS_LEGACY_ENV_PREFIX + TLS_ENV.keyFile
  ) {
    sources.certFile = OPENSSL_CERT_FILE_ENV;
    return legacy;
  }
  sources.certFile = 'default';
  return undefined;
}

/** Reads a deprecated boolean name (`VERIFY_CERT`, `REQUIRE_CERT`) in both spellings. */
function deprecatedFlag(
  env: TlsEnvironment,
  key: keyof typeof TLS_ENV_DEPRECATED,
  sources: Record<Key, string>,
  warnings: string[],
): boolean {
  const name = TLS_ENV_DEPRECATED[key];
  const found = fromEnv(env, name, warnings);
  if (found === undefined || !parseBoolean(found)) return false;
  warnings.push(
    `Usage of ${found.source} is deprecated; it was renamed to ${TLS_ENV_PREFIX}${TLS_ENV[key]}`,
  );
  if (sources[key] === 'default') sources[key] = found.source;
  return true;
}

/** libprocess' (stout's) boolean syntax, exactly. */
function parseBoolean({ text, source }: Raw): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new TlsConfigError(
    `Invalid ${source}=${JSON.stringify(text)}: expected true, false, 1 or 0`,
    source,
  );
}

function parseCount({ text, source }: Raw, what: string): number {
  const value = Number(text);
  if (!/^\d{1,9}$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new TlsConfigError(
      `Invalid ${source}=${JSON.stringify(text)}: expected ${what} (an integer >= 0)`,
      source,
    );
  }
  return value;
}

function isScheme(text: string): text is TlsHostnameValidationScheme {
  return text === 'legacy' || text === 'openssl';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
