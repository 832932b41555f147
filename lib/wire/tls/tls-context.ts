import {
  constants as cryptoConstants,
  createPrivateKey,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type SecureContextOptions,
} from 'node:tls';

import { DEFAULT_TLS_CIPHERS } from './tls.constants.js';
import { TlsConfigError } from './tls-config.error.js';
import type {
  TlsProtocolVersion,
  TlsSettings,
} from './tls-options.interface.js';

const PEM_CERTIFICATE =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** OpenSSL options that switch off the versions between the lowest and highest enabled one. */
const NO_VERSION_OPTION: Readonly<Record<TlsProtocolVersion, number>> = {
  TLSv1: cryptoConstants.SSL_OP_NO_TLSv1,
  'TLSv1.1': cryptoConstants.SSL_OP_NO_TLSv1_1,
  'TLSv1.2': cryptoConstants.SSL_OP_NO_TLSv1_2,
  'TLSv1.3': cryptoConstants.SSL_OP_NO_TLSv1_3,
};
const ALL_VERSIONS: readonly TlsProtocolVersion[] = [
  'TLSv1',
  'TLSv1.1',
  'TLSv1.2',
  'TLSv1.3',
];

/**
 * What a TLS node works with: one OpenSSL context for both roles (server certificate, client
 * certificate whenever a server asks for one, trust anchors for both directions), as in
 * libprocess.
 *
 * @publicApi
 */
export interface TlsContext {
  readonly settings: TlsSettings;
  readonly secureContext: SecureContext;
  /**
   * The options `secureContext` was built from: `tls.Server` builds its own context from its
   * options (it ignores a `secureContext` one), so the listener needs them.
   */
  readonly options: Readonly<SecureContextOptions>;
  /** The node's own (leaf) certificate. */
  readonly certificate: X509Certificate;
  /** Things that will work but probably not as meant (e.g. an EC key with RSA-only ciphers). */
  readonly warnings: readonly string[];
}

/**
 * Loads the certificate, key and trust anchors `settings` name and builds the OpenSSL context,
 * checking everything libprocess checks at start-up (and a little more): files exist and hold
 * PEM, the key matches the certificate, the cipher list and curves are known to OpenSSL.
 * Synchronous: it runs once, in `listen()`.
 *
 * @throws TlsConfigError naming the variable or option to fix.
 */
export function loadTlsContext(settings: TlsSettings): TlsContext {
  const { sources } = settings;
  const certPem = readSetting(
    settings.certFile,
    sources.certFile,
    'certificate',
  );
  const certificates = certPem.match(PEM_CERTIFICATE);
  if (certificates === null) {
    throw new TlsConfigError(
      `${describe(sources.certFile, settings.certFile)} holds no PEM certificate`,
      sources.certFile,
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificates[0]);
  } catch (error) {
    throw new TlsConfigError(
      `${describe(sources.certFile, settings.certFile)}: invalid certificate (${(error as Error).message})`,
      sources.certFile,
      { cause: error },
    );
  }
  const keyPem = readSetting(settings.keyFile, sources.keyFile, 'private key');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new TlsConfigError(
      `${describe(sources.keyFile, settings.keyFile)}: not an unencrypted PEM private key (${(error as Error).message})`,
      sources.keyFile,
      { cause: error },
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new TlsConfigError(
      `The certificate ${describe(sources.certFile, settings.certFile)} does not match the private key ` +
        `${describe(sources.keyFile, settings.keyFile)}`,
      sources.certFile,
    );
  }

  const warnings: string[] = [];
  if (
    key.asymmetricKeyType !== 'rsa' &&
    settings.ciphers === DEFAULT_TLS_CIPHERS &&
    !settings.versions.includes('TLSv1.3')
  ) {
    warnings.push(
      `The certificate ${describe(sources.certFile, settings.certFile)} has a ${key.asymmetricKeyType} key, ` +
        `but libprocess' default ciphers (${sources.ciphers}) only use RSA key exchange: handshakes will fail ("no shared cipher")`,
    );
  }

  const ca = trustAnchors(settings);
  checkAlone({ ciphers: settings.ciphers }, sources.ciphers, settings.ciphers);
  checkAlone(
    { ecdhCurve: settings.ecdhCurves },
    sources.ecdhCurves,
    settings.ecdhCurves,
  );

  const versions = settings.versions;
  const minVersion = versions[0];
  const maxVersion = versions[versions.length - 1];
  let secureOptions = 0;
  // libprocess switches versions on and off one by one; Node takes a range, so the gaps
  // inside it are closed with OpenSSL's per-version options.
  for (
    let i = ALL_VERSIONS.indexOf(minVersion);
    i <= ALL_VERSIONS.indexOf(maxVersion);
    i++
  ) {
    if (!versions.includes(ALL_VERSIONS[i])) {
      secureOptions |= NO_VERSION_OPTION[ALL_VERSIONS[i]];
    }
  }
  const options: SecureContextOptions = {
    cert: certPem,
    key: keyPem,
    ca,
    ciphers: settings.ciphers,
    ecdhCurve: settings.ecdhCurves,
    minVersion,
    maxVersion,
    secureOptions,
    // SSL_OP_CIPHER_SERVER_PREFERENCE, as libprocess sets it.
    honorCipherOrder: true,
  };
  let secureContext: SecureContext;
  try {
    secureContext = createSecureContext(options);
  } catch (error) {
    throw new TlsConfigError(
      `Cannot build the TLS context from ${sources.certFile}, ${sources.keyFile} and ` +
        `${sources.enableTlsV1_2}..: ${(error as Error).message}`,
      sources.certFile,
      { cause: error },
    );
  }
  return { settings, secureContext, options, certificate, warnings };
}

/**
 * The trust anchors: `CA_FILE` and `CA_DIR` when either is set, else the default store: Node's
 * bundled roots plus, as OpenSSL's default store would hold them, the certificates of
 * `SSL_CERT_FILE` and `SSL_CERT_DIR`. Undefined when nothing verifies certificates and no CA is
 * configured (Node's defaults are then never consulted).
 */
function trustAnchors(settings: TlsSettings): string[] | undefined {
  const { sources } = settings;
  if (settings.caFile !== undefined || settings.caDir !== undefined) {
    const anchors: string[] = [];
    if (settings.caFile !== undefined) {
      const pem = readSetting(settings.caFile, sources.caFile, 'CA file');
      const found = pem.match(PEM_CERTIFICATE);
      if (found === null) {
        throw new TlsConfigError(
          `${describe(sources.caFile, settings.caFile)} holds no PEM certificate`,
          sources.caFile,
        );
      }
      anchors.push(...found);
    }
    if (settings.caDir !== undefined) {
      const found = certificatesInDir(settings.caDir, sources.caDir, true);
      if (found.length === 0) {
        throw new TlsConfigError(
          `${describe(sources.caDir, settings.caDir)} holds no PEM certificate`,
          sources.caDir,
        );
      }
      anchors.push(...found);
    }
    return anchors;
  }
  if (!settings.verifyServerCert && !settings.requireClientCert) {
    return undefined;
  }
  const extra = new Set<string>();
  if (settings.defaultTrustFile !== undefined) {
    try {
      for (const pem of readFileSync(settings.defaultTrustFile, 'latin1').match(
        PEM_CERTIFICATE,
      ) ?? []) {
        extra.add(pem);
      }
    } catch {
      // OpenSSL ignores a default store that is not there; so do we.
    }
  }
  if (settings.defaultTrustDir !== undefined) {
    for (const pem of certificatesInDir(
      settings.defaultTrustDir,
      'SSL_CERT_DIR',
      false,
    )) {
      extra.add(pem);
    }
  }
  return extra.size === 0 ? undefined : [...rootCertificates, ...extra];
}

/** Every PEM certificate in the regular files of `dir` (symbolic links followed). */
function certificatesInDir(
  dir: string,
  source: string,
  strict: boolean,
): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (!strict) return [];
    throw new TlsConfigError(
      `${describe(source, dir)}: ${describeFsError(error, 'directory')}`,
      source,
      { cause: error },
    );
  }
  const found: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      found.push(
        ...(readFileSync(path, 'latin1').match(PEM_CERTIFICATE) ?? []),
      );
    } catch {
      // A dangling link or an unreadable file in a CA directory: OpenSSL skips it too.
    }
  }
  return [...new Set(found)];
}

function readSetting(
  path: string | undefined,
  source: string,
  what: string,
): string {
  if (path === undefined) {
    throw new TlsConfigError(`No ${what} is set (${source})`, source);
  }
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    throw new TlsConfigError(
      `${describe(source, path)}: cannot read the ${what}: ${describeFsError(error, 'file')}`,
      source,
      { cause: error },
    );
  }
}

/** Builds a context from one option alone, to tell which setting OpenSSL rejects. */
function checkAlone(
  options: SecureContextOptions,
  source: string,
  value: string,
): void {
  try {
    createSecureContext(options);
  } catch (error) {
    throw new TlsConfigError(
      `Invalid ${source}=${JSON.stringify(value)}: ${(error as Error).message}`,
      source,
      { cause: error },
    );
  }
}

/** `LIBPROCESS_SSL_CERT_FILE=/path` or `ssl.certFile option "/path"`. */
function describe(source: string, value: string | undefined): string {
  return source.endsWith(' option')
    ? `${source} ${JSON.stringify(value)}`
    : `${source}=${value}`;
}

function describeFsError(error: unknown, what: 'file' | 'directory'): string {
  switch ((error as NodeJS.ErrnoException)?.code) {
    case 'ENOENT':
      return `no such ${what}`;
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'a directory, not a file';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return (error as Error)?.message ?? String(error);
  }
}
