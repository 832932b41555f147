import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';

import { describeRequiring } from '../support/require-gate.js';
import { stopAllSpawned } from '../support/spawned-process.js';
import { TestPki, type CertificateFiles } from '../tls/tls-certificates.js';
import {
  expectDelivered,
  expectNotDelivered,
  run,
  serve,
  sslEnv,
  start,
  tlsPeersAvailability,
  type Env,
} from './tls-interop.helpers.js';

/**
 * The TS node against C++ libprocess built with SSL (../shared/peers, section 9), both
 * directions, configured on both sides only by the LIBPROCESS_SSL_* variables: the TS side is
 * the peer CLI, so this also proves it honours them. Certificates come from a throwaway CA
 * made for this run.
 */
describeRequiring(
  'TLS interop with C++ libprocess (SSL)',
  tlsPeersAvailability(),
  {
    what: 'C++ libprocess SSL peer',
    requiredBy: 'LIBPROCESS_INTEROP_REQUIRED',
  },
  () => {
    let pki: TestPki;
    let ca: CertificateFiles;
    let otherCa: CertificateFiles;
    let node: CertificateFiles;
    let stranger: CertificateFiles;
    let tls: Env;

    beforeAll(() => {
      pki = TestPki.create();
      ca = pki.ca('ca');
      otherCa = pki.ca('other-ca');
      node = pki.node('node', ca);
      stranger = pki.node('stranger', otherCa);
      tls = sslEnv(node);
    }, 60_000);
    afterEach(stopAllSpawned);
    afterAll(() => pki?.dispose());

    for (const [client, server] of [
      ['ts', 'cpp-ssl'],
      ['cpp-ssl', 'ts'],
    ] as const) {
      it(`${client} -> ${server}: send 2000 (exact count) and ping-pong over TLS 1.2`, async () => {
        const { pid } = await serve(server, tls);
        await expectDelivered(client, pid, tls);
        const { result, code } = await run(
          client,
          ['pingpong', '--to', pid, '--n', '200', '--timeout', '60'],
          tls,
        );
        expect(result).toMatchObject({ mode: 'pingpong', n: 200 });
        expect(code).toBe(0);
      }, 120_000);

      it(`${client} -> ${server}: link, kill the server -> exited once`, async () => {
        const target = await serve(server, tls);
        const linker = start(
          client,
          ['link', '--to', target.pid, '--timeout', '60'],
          tls,
        );
        expect(await linker.stdout.nextJson(30_000)).toMatchObject({
          event: 'linked',
        });
        await target.process.stop();
        expect(await linker.stdout.nextJson(30_000)).toMatchObject({
          event: 'exited',
          pid: target.pid,
        });
        expect((await linker.waitForExit(10_000)).code).toBe(0);
        expect(
          linker.stdout.seen.filter((line) => line.includes('"exited"')),
        ).toHaveLength(1);
      }, 90_000);

      it(`${client} -> ${server}: TLS 1.3 when both enable it`, async () => {
        // The TS side speaks only 1.3, so the count proves what was negotiated.
        const only13 = { ...tls, LIBPROCESS_SSL_ENABLE_TLS_V1_3: 'true' };
        const ts13 = { ...only13, LIBPROCESS_SSL_ENABLE_TLS_V1_2: 'false' };
        const { pid } = await serve(server, server === 'ts' ? ts13 : only13);
        await expectDelivered(client, pid, client === 'ts' ? ts13 : only13);
      }, 90_000);
    }

    it('downgrade on: a TS TLS server takes plain C++ clients (and answers them); off: refuses them', async () => {
      const lenient = await serve('ts', {
        ...tls,
        LIBPROCESS_SSL_SUPPORT_DOWNGRADE: 'true',
      });
      await expectDelivered('cpp', lenient.pid, {});
      await expectDelivered('cpp-ssl', lenient.pid, tls);
      const strict = await serve('ts', tls);
      await expectNotDelivered('cpp', strict.pid, {});
    }, 120_000);

    it('downgrade on: a C++ SSL server takes a plain TS client; off: the TS client is refused cleanly', async () => {
      const lenient = await serve('cpp-ssl', {
        ...tls,
        LIBPROCESS_SSL_SUPPORT_DOWNGRADE: 'true',
      });
      await expectDelivered('ts', lenient.pid, {});
      const strict = await serve('cpp-ssl', tls);
      const stderr = await expectNotDelivered('ts', strict.pid, {});
      expect(stderr).toMatch(/Connection to 127\.0\.0\.1:\d+ failed/);
    }, 120_000);

    it('a TLS TS client to a plain C++ server: fails at once and reports the handshake', async () => {
      const plain = await serve('cpp', {});
      const stderr = await expectNotDelivered('ts', plain.pid, tls);
      expect(stderr).toMatch(/TLS handshake failed/);
    }, 60_000);

    it('server verification by the TS client: the right CA delivers, another CA does not (reported)', async () => {
      const { pid } = await serve('cpp-ssl', tls);
      const verify = {
        ...tls,
        LIBPROCESS_SSL_VERIFY_SERVER_CERT: 'true',
        LIBPROCESS_SSL_CA_FILE: ca.certFile,
      };
      // legacy scheme: 127.0.0.1 reverse-resolves to localhost, which the certificate names
      await expectDelivered('ts', pid, verify);
      await expectDelivered('ts', pid, {
        ...verify,
        LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: 'openssl',
        LIBPROCESS_SSL_VERIFY_IPADD: 'true',
      });
      const stderr = await expectNotDelivered('ts', pid, {
        ...verify,
        LIBPROCESS_SSL_CA_FILE: otherCa.certFile,
      });
      expect(stderr).toContain(
        'TLS server certificate refused: unable to verify the first certificate',
      );
    }, 120_000);

    it('server verification by the C++ client: the TS server presents a certificate it accepts, or one it refuses', async () => {
      const { pid } = await serve('ts', tls);
      const verify = {
        ...tls,
        LIBPROCESS_SSL_VERIFY_SERVER_CERT: 'true',
        LIBPROCESS_SSL_CA_FILE: ca.certFile,
        LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: 'openssl',
        LIBPROCESS_SSL_VERIFY_IPADD: 'true',
      };
      await expectDelivered('cpp-ssl', pid, verify);
      await expectNotDelivered('cpp-ssl', pid, {
        ...verify,
        LIBPROCESS_SSL_CA_FILE: otherCa.certFile,
      });
    }, 120_000);

    it('required client certificates: a C++ server takes the TS client certificate of its CA, not one of another CA', async () => {
      const { pid } = await serve('cpp-ssl', {
        ...tls,
        LIBPROCESS_SSL_REQUIRE_CLIENT_CERT: 'true',
        LIBPROCESS_SSL_CA_FILE: ca.certFile,
        // It verifies its own outgoing connections too; the pid has an IP, so allow IP SANs.
        LIBPROCESS_SSL_HOSTNAME_VALIDATION_SCHEME: 'openssl',
        LIBPROCESS_SSL_VERIFY_IPADD: 'true',
      });
      await expectDelivered('ts', pid, tls);
      await expectNotDelivered('ts', pid, sslEnv(stranger));
    }, 120_000);

    it('required client certificates: a TS server takes the C++ client certificate of its CA, refuses another, reports it', async () => {
      const server = await serve('ts', {
        ...tls,
        LIBPROCESS_SSL_REQUIRE_CLIENT_CERT: 'true',
        LIBPROCESS_SSL_CA_FILE: ca.certFile,
      });
      await expectDelivered('cpp-ssl', server.pid, tls);
      await expectNotDelivered('cpp-ssl', server.pid, sslEnv(stranger));
      expect(server.process.stderr).toContain('refused the client certificate');
    }, 120_000);

    it('a plain C++ node to a TS SSL-only node: refused, and the TS node reports why', async () => {
      const server = await serve('ts', tls);
      await expectNotDelivered('cpp', server.pid, {});
      expect(server.process.stderr).toContain('TLS handshake failed');
    }, 60_000);

    it('the TS CLI refuses a bad TLS setting naming the variable (exit 1), and ignores a machine-wide SSL_CERT_FILE', async () => {
      const missing = await run(
        'ts',
        ['serve', '--port', '0'],
        {
          LIBPROCESS_SSL_ENABLED: 'true',
          LIBPROCESS_SSL_KEY_FILE: node.keyFile,
          SSL_CERT_FILE: ca.certFile,
        },
        30_000,
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        'no certificate is set: set LIBPROCESS_SSL_CERT_FILE',
      );
      const yes = await run(
        'ts',
        ['serve', '--port', '0'],
        { ...tls, LIBPROCESS_SSL_VERIFY_SERVER_CERT: 'yes' },
        30_000,
      );
      expect(yes.code).toBe(1);
      expect(yes.stderr).toContain(
        'Invalid LIBPROCESS_SSL_VERIFY_SERVER_CERT="yes": expected true, false, 1 or 0',
      );
    }, 60_000);
  },
);
