import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_TLS_CIPHERS,
  resolveTlsSettings,
  TlsConfigError,
  type TlsEnvironment,
} from '../../lib/wire/index.js';

const KEYS = {
  LIBPROCESS_SSL_CERT_FILE: '/pki/node.crt',
  LIBPROCESS_SSL_KEY_FILE: '/pki/node.key',
};

function resolve(
  env: TlsEnvironment,
  options?: Parameters<typeof resolveTlsSettings>[0],
) {
  return resolveTlsSettings(options, env);
}

function configError(run: () => unknown): TlsConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsConfigError);
    return error as TlsConfigError;
  }
  throw new Error('expected a TlsConfigError');
}

describe('resolveTlsSettings', () => {
  it("has C++ libprocess' defaults", () => {
    const { settings, warnings } = resolve({});
    expect(settings).toMatchObject({
      enabled: false,
      supportDowngrade: false,
      verifyServerCert: false,
      requireClientCert: false,
      verifyIpAdd: false,
      verificationDepth: 4,
      ciphers: DEFAULT_TLS_CIPHERS,
      ecdhCurves: 'auto',
      hostnameValidationScheme: 'legacy',
      versions: ['TLSv1.2'],
      handshakeTimeout: 10_000,
    });
    expect(settings.certFile).toBeUndefined();
    expect(settings.sources.enabled).toBe('default');
    expect(warnings).toEqual([]);
  });

  it('reads every LIBPROCESS_SSL_* variable', () => {
    const { settings } = resolve({
      ...KEYS,
      LIBPROCESS_SSL_ENABLED: 'true',
      LIBPROCESS_SSL_SUPPORT_DOWNGRADE: '0',
      LIBPROCESS_SSL_VERIFY_SERVER_CERT: '1',
      LIBPROCESS_SSL_VERIFY_IPADD: 'true',
      LIBPROCESS_SSL_VERIFICATION_DEPTH: '2',
      LIBPROCESS_SSL_CA_DIR: '/pki/cas',
      LIBPROCESS_SSL_CA_FILE: '/pki/ca.crt',
      LIBPROCESS_SSL_CIPHERS: 'AES256-SHA',
      LIBPROCESS_SSL_ECDH_CURVES: 'P-256:P-384',
      LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: 'openssl',
      LIBPROCESS_SSL_ENABLE_TLS_V1_2: 'false',
      LIBPROCESS_SSL_ENABLE_TLS_V1_3: 'true',
    });
    expect(settings).toMatchObject({
      enabled: true,
      certFile: '/pki/node.crt',
      keyFile: '/pki/node.key',
      supportDowngrade: false,
      verifyServerCert: true,
      verifyIpAdd: true,
      verificationDepth: 2,
      caDir: '/pki/cas',
      caFile: '/pki/ca.crt',
      ciphers: 'AES256-SHA',
      ecdhCurves: 'P-256:P-384',
      hostnameValidationScheme: 'openssl',
      versions: ['TLSv1.3'],
    });
    expect(settings.sources.certFile).toBe('LIBPROCESS_SSL_CERT_FILE');
  });

  it('takes the legacy SSL_* spellings; LIBPROCESS_SSL_* wins, with a warning when they differ', () => {
    const legacy = resolve({
      SSL_ENABLED: 'true',
      SSL_KEY_FILE: '/old/key.pem',
      SSL_CERT_FILE: '/old/cert.pem',
      SSL_CIPHERS: 'AES256-SHA',
    });
    expect(legacy.settings).toMatchObject({
      enabled: true,
      keyFile: '/old/key.pem',
      certFile: '/old/cert.pem',
      ciphers: 'AES256-SHA',
    });
    expect(legacy.settings.sources.enabled).toBe('SSL_ENABLED');
    // SSL_CERT_FILE is the certificate here, so it is not also a trust store.
    expect(legacy.settings.defaultTrustFile).toBeUndefined();

    const both = resolve({
      ...KEYS,
      LIBPROCESS_SSL_CIPHERS: 'AES128-SHA',
      SSL_CIPHERS: 'AES256-SHA',
    });
    expect(both.settings.ciphers).toBe('AES128-SHA');
    expect(both.warnings).toEqual([
      'Mismatched values for SSL_CIPHERS and LIBPROCESS_SSL_CIPHERS: using LIBPROCESS_SSL_CIPHERS',
    ]);
  });

  describe('a machine-wide SSL_CERT_FILE (OpenSSL CA bundle)', () => {
    const machine = {
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      SSL_CERT_DIR: '/etc/ssl/certs',
    };

    it('is not taken as the certificate when the key comes from LIBPROCESS_SSL_KEY_FILE', () => {
      const error = configError(() =>
        resolve({
          ...machine,
          LIBPROCESS_SSL_ENABLED: 'true',
          LIBPROCESS_SSL_KEY_FILE: '/pki/node.key',
        }),
      );
      expect(error.setting).toBe('LIBPROCESS_SSL_CERT_FILE');
      expect(error.message).toContain('no certificate is set');
      expect(error.message).toContain(
        "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt is OpenSSL's CA bundle variable",
      );
    });

    it('keeps its OpenSSL meaning: the default trust store', () => {
      const { settings } = resolve({ ...machine, ...KEYS });
      expect(settings.certFile).toBe('/pki/node.crt');
      expect(settings.defaultTrustFile).toBe(machine.SSL_CERT_FILE);
      expect(settings.defaultTrustDir).toBe(machine.SSL_CERT_DIR);
    });

    it('does not count as a mismatch with LIBPROCESS_SSL_CERT_FILE', () => {
      expect(resolve({ ...machine, ...KEYS }).warnings).toEqual([]);
    });
  });

  it('accepts booleans exactly as libprocess does (true/false/1/0) and names a bad one', () => {
    expect(
      resolve({ LIBPROCESS_SSL_VERIFY_IPADD: '1' }).settings.verifyIpAdd,
    ).toBe(true);
    expect(
      resolve({ LIBPROCESS_SSL_VERIFY_IPADD: '0' }).settings.verifyIpAdd,
    ).toBe(false);
    for (const bad of ['yes', 'TRUE', 'on']) {
      const error = configError(() => resolve({ LIBPROCESS_SSL_ENABLED: bad }));
      expect(error.setting).toBe('LIBPROCESS_SSL_ENABLED');
      expect(error.message).toBe(
        `Invalid LIBPROCESS_SSL_ENABLED="${bad}": expected true, false, 1 or 0`,
      );
    }
    expect(configError(() => resolve({ SSL_VERIFY_IPADD: 'no' })).setting).toBe(
      'SSL_VERIFY_IPADD',
    );
  });

  it('turns VERIFY_CERT / REQUIRE_CERT (deprecated names) on, with a warning', () => {
    const { settings, warnings } = resolve({
      LIBPROCESS_SSL_VERIFY_CERT: 'true',
      SSL_REQUIRE_CERT: '1',
    });
    expect(settings.verifyServerCert).toBe(true);
    expect(settings.requireClientCert).toBe(true);
    expect(settings.sources.requireClientCert).toBe('SSL_REQUIRE_CERT');
    expect(warnings).toEqual([
      'Usage of LIBPROCESS_SSL_VERIFY_CERT is deprecated; it was renamed to LIBPROCESS_SSL_VERIFY_SERVER_CERT',
      'Usage of SSL_REQUIRE_CERT is deprecated; it was renamed to LIBPROCESS_SSL_REQUIRE_CLIENT_CERT',
    ]);
  });

  it('makes requireClientCert imply verifyServerCert', () => {
    const { settings } = resolve({
      LIBPROCESS_SSL_REQUIRE_CLIENT_CERT: 'true',
    });
    expect(settings.verifyServerCert).toBe(true);
    expect(settings.sources.verifyServerCert).toBe(
      'LIBPROCESS_SSL_REQUIRE_CLIENT_CERT (implied)',
    );
  });

  it('lets explicit options win over the environment, field by field', () => {
    const { settings } = resolve(
      {
        ...KEYS,
        LIBPROCESS_SSL_ENABLED: 'true',
        LIBPROCESS_SSL_CIPHERS: 'AES256-SHA',
      },
      { enabled: false, certFile: '/opt/node.crt', verificationDepth: 1 },
    );
    expect(settings).toMatchObject({
      enabled: false,
      certFile: '/opt/node.crt',
      keyFile: '/pki/node.key',
      ciphers: 'AES256-SHA',
      verificationDepth: 1,
    });
    expect(settings.sources.certFile).toBe('ssl.certFile option');
    expect(settings.sources.keyFile).toBe('LIBPROCESS_SSL_KEY_FILE');
  });

  it('refuses an option of the wrong type, naming the option', () => {
    const error = configError(() =>
      resolve({}, { enabled: 'true' as unknown as boolean }),
    );
    expect(error.setting).toBe('ssl.enabled option');
  });

  it('refuses a bad scheme, depth or handshake timeout, naming where it came from', () => {
    expect(
      configError(() =>
        resolve({ LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: 'strict' }),
      ).message,
    ).toBe(
      'Invalid LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME="strict": expected legacy or openssl',
    );
    expect(
      configError(() => resolve({ LIBPROCESS_SSL_VERIFICATION_DEPTH: '-1' }))
        .setting,
    ).toBe('LIBPROCESS_SSL_VERIFICATION_DEPTH');
    expect(
      configError(() => resolve({}, { verificationDepth: 1.5 })).setting,
    ).toBe('ssl.verificationDepth option');
    expect(
      configError(() => resolve({}, { handshakeTimeout: 0 })).setting,
    ).toBe('ssl.handshakeTimeout option');
  });

  it('when enabled, requires a key and a certificate, naming the variable to set', () => {
    expect(
      configError(() => resolve({ LIBPROCESS_SSL_ENABLED: 'true' })).setting,
    ).toBe('LIBPROCESS_SSL_KEY_FILE');
    expect(
      configError(() =>
        resolve({
          LIBPROCESS_SSL_ENABLED: 'true',
          LIBPROCESS_SSL_KEY_FILE: '/k',
        }),
      ).setting,
    ).toBe('LIBPROCESS_SSL_CERT_FILE');
    // Disabled, nothing is required.
    expect(resolve({ LIBPROCESS_SSL_KEY_FILE: '/k' }).settings.enabled).toBe(
      false,
    );
  });

  it('refuses SSLv3 (Node cannot speak it) and a configuration without any protocol version', () => {
    const v3 = configError(() =>
      resolve({
        ...KEYS,
        LIBPROCESS_SSL_ENABLED: 'true',
        LIBPROCESS_SSL_ENABLE_SSL_V3: 'true',
      }),
    );
    expect(v3.setting).toBe('LIBPROCESS_SSL_ENABLE_SSL_V3');
    expect(v3.message).toContain('cannot speak SSLv3');
    const none = configError(() =>
      resolve({
        ...KEYS,
        LIBPROCESS_SSL_ENABLED: 'true',
        LIBPROCESS_SSL_ENABLE_TLS_V1_2: 'false',
      }),
    );
    expect(none.message).toContain('every protocol version is disabled');
  });

  it('lists the enabled versions oldest first', () => {
    const { settings } = resolve({
      LIBPROCESS_SSL_ENABLE_TLS_V1_0: 'true',
      LIBPROCESS_SSL_ENABLE_TLS_V1_3: 'true',
    });
    expect(settings.versions).toEqual(['TLSv1', 'TLSv1.2', 'TLSv1.3']);
  });

  it('warns that downgrades make verification bypassable, as libprocess does', () => {
    const { warnings } = resolve({
      ...KEYS,
      LIBPROCESS_SSL_ENABLED: 'true',
      LIBPROCESS_SSL_SUPPORT_DOWNGRADE: 'true',
      LIBPROCESS_SSL_VERIFY_SERVER_CERT: 'true',
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      'downgrades (LIBPROCESS_SSL_SUPPORT_DOWNGRADE) let a peer bypass it',
    );
  });
});
