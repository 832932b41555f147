import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  loadTlsContext,
  resolveTlsSettings,
  TlsConfigError,
  type TlsEnvironment,
  type TlsOptions,
} from '../../lib/wire/index.js';
import {
  legacyNameCheck,
  opensslServerCheck,
} from '../../lib/wire/tls/tls-identity.js';
import {
  opensslAvailability,
  TestPki,
  type CertificateFiles,
} from './tls-certificates.js';
import { describeRequiring } from '../support/require-gate.js';

describeRequiring(
  'TLS context loading and certificate names',
  opensslAvailability(),
  { what: 'the openssl CLI', requiredBy: 'LIBPROCESS_INTEROP_REQUIRED' },
  () => {
    let pki: TestPki;
    let ca: CertificateFiles;
    let node: CertificateFiles;
    let other: CertificateFiles;

    beforeAll(() => {
      pki = TestPki.create();
      ca = pki.ca('ca');
      node = pki.node('node', ca);
      other = pki.leaf('other', ca, { dns: ['other.example'] });
    });
    afterAll(() => pki?.dispose());

    function load(options: TlsOptions, env: TlsEnvironment = {}) {
      const { settings } = resolveTlsSettings(
        {
          enabled: true,
          certFile: node.certFile,
          keyFile: node.keyFile,
          ...options,
        },
        env,
      );
      return loadTlsContext(settings);
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

    describe('loadTlsContext', () => {
      it('loads a certificate, its key and a CA file', () => {
        const context = load({ caFile: ca.certFile, verifyServerCert: true });
        expect(context.certificate.subject).toBe('CN=localhost');
        expect(context.warnings).toEqual([]);
      });

      it('names the variable of a missing file', () => {
        const error = configError(() =>
          loadTlsContext(
            resolveTlsSettings(undefined, {
              LIBPROCESS_SSL_ENABLED: 'true',
              LIBPROCESS_SSL_CERT_FILE: '/nonexistent/node.crt',
              LIBPROCESS_SSL_KEY_FILE: node.keyFile,
            }).settings,
          ),
        );
        expect(error.setting).toBe('LIBPROCESS_SSL_CERT_FILE');
        expect(error.message).toBe(
          'LIBPROCESS_SSL_CERT_FILE=/nonexistent/node.crt: cannot read the certificate: no such file',
        );
      });

      it('refuses a certificate that does not match its key', () => {
        const error = configError(() => load({ keyFile: other.keyFile }));
        expect(error.setting).toBe('ssl.certFile option');
        expect(error.message).toContain('does not match the private key');
      });

      it('refuses files that hold no PEM', () => {
        const junk = pki.bundle('junk.pem', 'not a certificate\n');
        expect(configError(() => load({ certFile: junk })).message).toContain(
          'holds no PEM certificate',
        );
        expect(configError(() => load({ keyFile: junk })).message).toContain(
          'not an unencrypted PEM private key',
        );
        expect(configError(() => load({ caFile: junk })).setting).toBe(
          'ssl.caFile option',
        );
      });

      it('loads every certificate of a CA directory, and refuses an empty or missing one', () => {
        const dir = join(pki.dir, 'cas');
        mkdirSync(dir);
        expect(configError(() => load({ caDir: dir })).message).toContain(
          'holds no PEM certificate',
        );
        writeFileSync(join(dir, 'ca.pem'), ca.certPem);
        expect(() => load({ caDir: dir })).not.toThrow();
        expect(
          configError(() => load({ caDir: join(pki.dir, 'missing') })).message,
        ).toContain('no such directory');
      });

      it('names CIPHERS or ECDH_CURVES when OpenSSL rejects them', () => {
        const env = {
          LIBPROCESS_SSL_CIPHERS: 'NO-SUCH-CIPHER',
        };
        expect(configError(() => load({}, env)).setting).toBe(
          'LIBPROCESS_SSL_CIPHERS',
        );
        expect(
          configError(() => load({ ecdhCurves: 'no-such-curve' })).setting,
        ).toBe('ssl.ecdhCurves option');
      });

      it('warns about an EC certificate with the RSA-only default ciphers', () => {
        const ec = pki.leaf('ec', ca, { dns: ['localhost'], keyType: 'ec' });
        const context = load({ certFile: ec.certFile, keyFile: ec.keyFile });
        expect(context.warnings[0]).toContain('has a ec key');
      });
    });

    describe('certificate names', () => {
      const settings = (options: TlsOptions) =>
        resolveTlsSettings(
          { enabled: true, certFile: '/c', keyFile: '/k', ...options },
          {},
        ).settings;

      it('legacy: the reverse-DNS name must be a DNS SAN or the CN; IP SANs only with verifyIpAdd', () => {
        const cert = new X509Certificate(node.certPem);
        const legacy = settings({ verifyServerCert: true });
        expect(
          legacyNameCheck(legacy, cert, '127.0.0.1', 'localhost'),
        ).toBeUndefined();
        expect(
          legacyNameCheck(legacy, cert, '127.0.0.1', 'elsewhere')?.message,
        ).toBe(
          'the presented certificate (CN=localhost) does not match hostname elsewhere, IP 127.0.0.1',
        );
        const withIp = settings({ verifyServerCert: true, verifyIpAdd: true });
        expect(
          legacyNameCheck(withIp, cert, '127.0.0.1', 'elsewhere'),
        ).toBeUndefined();
        expect(
          legacyNameCheck(withIp, cert, '127.0.0.2', undefined),
        ).toBeDefined();
      });

      it('legacy: a peer without a name passes, unless client certificates are required', () => {
        const cert = new X509Certificate(other.certPem);
        expect(
          legacyNameCheck(
            settings({ verifyServerCert: true }),
            cert,
            '10.1.2.3',
            undefined,
          ),
        ).toBeUndefined();
        expect(
          legacyNameCheck(
            settings({ requireClientCert: true }),
            cert,
            '10.1.2.3',
            undefined,
          )?.message,
        ).toContain('has no reverse-DNS name');
      });

      it('openssl: an IP literal needs verifyIpAdd (refused before connecting), a host name is checked', () => {
        const openssl = {
          verifyServerCert: true,
          hostnameValidationScheme: 'openssl' as const,
        };
        const refused = opensslServerCheck(settings(openssl), '127.0.0.1');
        expect(refused).toBeInstanceOf(Error);
        expect((refused as Error).message).toContain(
          'no DNS name given and IP address verification is disabled',
        );
        const cert = new X509Certificate(node.certPem).toLegacyObject();
        const byIp = opensslServerCheck(
          settings({ ...openssl, verifyIpAdd: true }),
          '127.0.0.1',
        );
        expect(typeof byIp).toBe('function');
        expect(
          (byIp as (c: typeof cert) => Error | undefined)(cert),
        ).toBeUndefined();
        const byName = opensslServerCheck(settings(openssl), 'other.example');
        expect(
          (byName as (c: typeof cert) => Error | undefined)(cert),
        ).toHaveProperty('code', 'ERR_TLS_CERT_ALTNAME_INVALID');
        expect(
          opensslServerCheck(
            settings({ verifyServerCert: false }),
            '127.0.0.1',
          ),
        ).toBeNull();
      });
    });
  },
);
