import {
  createServer,
  connect as connectTcp,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { connect as connectTls } from 'node:tls';
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
} from '@jest/globals';

import {
  loadTlsContext,
  resolveTlsSettings,
  type TlsContext,
  type TlsOptions,
  type WireError,
} from '../../lib/wire/index.js';
import { TlsAcceptor } from '../../lib/wire/tls/tls-acceptor.js';
import { dialPlain, tlsDialer } from '../../lib/wire/tls/tls-dialer.js';
import { waitFor } from '../support/wait-for.js';
import {
  opensslAvailability,
  TestPki,
  type CertificateFiles,
} from './tls-certificates.js';
import { describeRequiring } from '../support/require-gate.js';

describeRequiring(
  'TLS acceptor and dialer',
  opensslAvailability(),
  { what: 'the openssl CLI', requiredBy: 'LIBPROCESS_INTEROP_REQUIRED' },
  () => {
    let pki: TestPki;
    let ca: CertificateFiles;
    let node: CertificateFiles;
    let otherCa: CertificateFiles;
    let stranger: CertificateFiles;
    let chained: { certFile: string; keyFile: string; root: CertificateFiles };

    beforeAll(() => {
      pki = TestPki.create();
      ca = pki.ca('ca');
      node = pki.node('node', ca);
      otherCa = pki.ca('other-ca');
      stranger = pki.node('stranger', otherCa);
      const root = pki.ca('root');
      const int1 = pki.ca('int1', root);
      const int2 = pki.ca('int2', int1);
      const leaf = pki.node('deep', int2);
      chained = {
        certFile: pki.bundle(
          'deep-chain.pem',
          leaf.certPem,
          int2.certPem,
          int1.certPem,
        ),
        keyFile: leaf.keyFile,
        root,
      };
    }, 60_000);
    afterAll(() => pki?.dispose());

    const servers: Server[] = [];
    afterEach(async () => {
      await Promise.all(
        servers
          .splice(0)
          .map((server) => new Promise((resolve) => server.close(resolve))),
      );
    });

    function context(options: TlsOptions): TlsContext {
      return loadTlsContext(
        resolveTlsSettings(
          {
            enabled: true,
            certFile: node.certFile,
            keyFile: node.keyFile,
            ...options,
          },
          {},
        ).settings,
      );
    }

    /** A listener whose accepted sockets go through a TlsAcceptor; each ready socket echoes lines back. */
    async function tlsListener(options: TlsOptions) {
      const errors: WireError[] = [];
      const ready: Socket[] = [];
      const acceptor = new TlsAcceptor(context(options), {
        onConnection: (socket) => {
          ready.push(socket);
          socket.on('error', () => undefined);
          socket.on('data', (chunk) => socket.write(chunk));
        },
        onError: (error) => errors.push(error),
      });
      const server = createServer((socket) => acceptor.accept(socket));
      servers.push(server);
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      const port = (server.address() as AddressInfo).port;
      return { port, errors, ready, acceptor };
    }

    type Outcome = { ready: Socket } | { failed: Error };
    type TlsLike = Socket & {
      getProtocol(): string | null;
      getCipher(): { name: string };
    };

    /** The socket of a successful dial (else the test fails with the dial's error). */
    function ready(outcome: Outcome): TlsLike {
      if ('failed' in outcome) throw outcome.failed;
      return outcome.ready as TlsLike;
    }

    /** The error of a failed dial. */
    function failed(outcome: Outcome): WireError {
      if ('ready' in outcome) {
        outcome.ready.destroy();
        throw new Error('expected the dial to fail');
      }
      return outcome.failed as WireError;
    }

    function dial(
      dialer: ReturnType<typeof tlsDialer>,
      host: string,
      port: number,
    ): Promise<Outcome> {
      return new Promise((resolve) =>
        dialer(host, port, {
          ready: (socket) => resolve({ ready: socket }),
          failed: (error) => resolve({ failed: error }),
        }),
      );
    }

    async function echo(socket: Socket, text: string): Promise<string> {
      socket.write(text);
      return new Promise((resolve) =>
        socket.once('data', (chunk) => resolve(chunk.toString())),
      );
    }

    describe('TlsAcceptor and tlsDialer', () => {
      it('carry bytes over TLS 1.2 with the libprocess cipher defaults', async () => {
        const listener = await tlsListener({});
        const outcome = await dial(
          tlsDialer(context({})),
          '127.0.0.1',
          listener.port,
        );
        const socket = ready(outcome);
        expect(socket.getProtocol()).toBe('TLSv1.2');
        expect(socket.getCipher().name).toBe('AES128-SHA');
        expect(await echo(socket, 'POST /echo/ping HTTP/1.1\r\n')).toBe(
          'POST /echo/ping HTTP/1.1\r\n',
        );
        socket.destroy();
      });

      it('speak TLS 1.3 when both ends enable it', async () => {
        const listener = await tlsListener({ enableTlsV1_3: true });
        const outcome = await dial(
          tlsDialer(context({ enableTlsV1_3: true })),
          '127.0.0.1',
          listener.port,
        );
        const socket = ready(outcome);
        expect(socket.getProtocol()).toBe('TLSv1.3');
        socket.destroy();
        // A TLS 1.3-only client cannot talk to the default (1.2 only) listener.
        const strict = await tlsListener({});
        const refused = await dial(
          tlsDialer(context({ enableTlsV1_2: false, enableTlsV1_3: true })),
          '127.0.0.1',
          strict.port,
        );
        expect(failed(refused).code).toBe('ETLSHANDSHAKE');
        await waitFor(() => strict.errors.length === 1);
        expect(strict.errors[0].code).toBe('ETLSHANDSHAKE');
      });

      it('refuse a plain client without downgrade, and serve it with downgrade', async () => {
        const strict = await tlsListener({});
        const plain = connectTcp({ host: '127.0.0.1', port: strict.port });
        plain.on('error', () => undefined);
        plain.write(
          'POST /echo/count HTTP/1.1\r\nLibprocess-From: a@127.0.0.1:1\r\n\r\n',
        );
        const received: Buffer[] = [];
        plain.on('data', (chunk) => received.push(chunk));
        await new Promise((resolve) => plain.once('close', resolve));
        expect(Buffer.concat(received).length).toBe(0);
        await waitFor(() => strict.errors.length === 1);
        expect(strict.errors[0].message).toMatch(
          /TLS handshake failed: http request/,
        );

        const lenient = await tlsListener({ supportDowngrade: true });
        const outcome = await dial(dialPlain, '127.0.0.1', lenient.port);
        const socket = ready(outcome);
        expect(await echo(socket, 'GET / HTTP/1.1\r\n')).toBe(
          'GET / HTTP/1.1\r\n',
        );
        socket.destroy();
        // ...and TLS clients on the same port.
        const secure = await dial(
          tlsDialer(context({})),
          '127.0.0.1',
          lenient.port,
        );
        expect(await echo(ready(secure), 'x')).toBe('x');
        ready(secure).destroy();
        expect(lenient.errors).toEqual([]);
      });

      it('close a handshake that never completes after handshakeTimeout, and leave idle downgrade sockets alone', async () => {
        const listener = await tlsListener({
          handshakeTimeout: 200,
          supportDowngrade: true,
        });
        const idle = connectTcp({ host: '127.0.0.1', port: listener.port });
        const stalled = connectTcp({ host: '127.0.0.1', port: listener.port });
        stalled.write(Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, then nothing
        let idleClosed = false;
        idle.once('close', () => (idleClosed = true));
        await new Promise((resolve) => stalled.once('close', resolve));
        expect(listener.errors.map((e) => e.message)).toEqual([
          expect.stringMatching(/TLS handshake not completed within 200 ms$/),
        ]);
        expect(idleClosed).toBe(false);
        expect(listener.acceptor.pendingCount).toBe(1);
        listener.acceptor.close();
        await new Promise((resolve) => idle.once('close', resolve));
        expect(listener.acceptor.pendingCount).toBe(0);
      });

      it('verify the server against CA_FILE: right CA connects, another CA fails with ETLSVERIFY', async () => {
        const listener = await tlsListener({});
        const good = await dial(
          tlsDialer(context({ verifyServerCert: true, caFile: ca.certFile })),
          '127.0.0.1',
          listener.port,
        );
        ready(good).destroy();
        const bad = await dial(
          tlsDialer(
            context({ verifyServerCert: true, caFile: otherCa.certFile }),
          ),
          '127.0.0.1',
          listener.port,
        );
        expect(failed(bad)).toMatchObject({
          code: 'ETLSVERIFY',
        });
        expect(failed(bad).message).toMatch(
          /^TLS server certificate refused: unable to verify the first certificate$/,
        );
      });

      it('openssl scheme: refuses an IP literal without verifyIpAdd before connecting; checks host names', async () => {
        const listener = await tlsListener({});
        let accepted = 0;
        servers[servers.length - 1].on('connection', () => accepted++);
        const openssl = {
          verifyServerCert: true,
          caFile: ca.certFile,
          hostnameValidationScheme: 'openssl' as const,
        };
        const refused = await dial(
          tlsDialer(context(openssl)),
          '127.0.0.1',
          listener.port,
        );
        expect(failed(refused).code).toBe('ETLSVERIFY');
        expect(accepted).toBe(0);
        const byName = await dial(
          tlsDialer(context(openssl)),
          'localhost',
          listener.port,
        );
        ready(byName).destroy();
        const byIp = await dial(
          tlsDialer(context({ ...openssl, verifyIpAdd: true })),
          '127.0.0.1',
          listener.port,
        );
        ready(byIp).destroy();
        // The certificate of another name (same CA) fails the check during the handshake.
        const wrongName = await tlsListenerWith(
          pki.leaf('elsewhere', ca, { dns: ['elsewhere.example'] }),
        );
        const mismatch = await dial(
          tlsDialer(context(openssl)),
          'localhost',
          wrongName,
        );
        expect(failed(mismatch).code).toBe('ETLSVERIFY');
      });

      it('legacy scheme: 127.0.0.1 reverse-resolves to localhost, which the certificate names', async () => {
        const listener = await tlsListener({});
        const legacy = await dial(
          tlsDialer(context({ verifyServerCert: true, caFile: ca.certFile })),
          '127.0.0.1',
          listener.port,
        );
        expect('ready' in legacy).toBe(true);
        ready(legacy).destroy();
        const wrongName = await tlsListenerWith(
          pki.leaf('remote', ca, { dns: ['remote.example'] }),
        );
        const refused = await dial(
          tlsDialer(context({ verifyServerCert: true, caFile: ca.certFile })),
          '127.0.0.1',
          wrongName,
        );
        expect(failed(refused).message).toContain(
          'does not match hostname localhost, IP 127.0.0.1',
        );
      });

      it('enforce VERIFICATION_DEPTH on the chain the server presents', async () => {
        const port = await tlsListenerWith(chained);
        const shallow = await dial(
          tlsDialer(
            context({
              verifyServerCert: true,
              caFile: chained.root.certFile,
              verificationDepth: 1,
            }),
          ),
          '127.0.0.1',
          port,
        );
        expect(failed(shallow).message).toContain(
          'has 2 intermediate certificates, more than ssl.verificationDepth option=1',
        );
        const deep = await dial(
          tlsDialer(
            context({ verifyServerCert: true, caFile: chained.root.certFile }),
          ),
          '127.0.0.1',
          port,
        );
        ready(deep).destroy();
      });

      it('require client certificates: present and trusted, absent, or of another CA', async () => {
        const listener = await tlsListener({
          requireClientCert: true,
          caFile: ca.certFile,
        });
        const present = await dial(
          tlsDialer(context({ requireClientCert: true, caFile: ca.certFile })),
          '127.0.0.1',
          listener.port,
        );
        expect(await echo(ready(present), 'hello')).toBe('hello');
        ready(present).destroy();

        const anonymous = connectTls({
          host: '127.0.0.1',
          port: listener.port,
          rejectUnauthorized: false,
        });
        anonymous.on('error', () => undefined);
        await new Promise((resolve) => anonymous.once('close', resolve));

        const foreign = await dial(
          tlsDialer(
            context({ certFile: stranger.certFile, keyFile: stranger.keyFile }),
          ),
          '127.0.0.1',
          listener.port,
        );
        if ('ready' in foreign) {
          // TLS 1.2: the server verifies after the handshake and closes.
          await new Promise((resolve) => foreign.ready.once('close', resolve));
        }
        await waitFor(() => listener.errors.length === 2);
        expect(listener.errors.map((e) => [e.code, e.message])).toEqual([
          [
            'ETLSVERIFY',
            expect.stringContaining(
              'refused the client certificate: no client certificate',
            ),
          ],
          ['ETLSVERIFY', expect.stringContaining('(subject localhost)')],
        ]);
        expect(listener.ready).toHaveLength(1);
      });

      it('downgrade on the connecting side: a failed TLS attempt is retried over plain TCP', async () => {
        // A plain server that drops a TLS client at once, as a plain libprocess node does.
        const server = createServer((socket) => {
          socket.once('data', (chunk) => {
            if (chunk[0] === 0x16) socket.destroy();
            else socket.write(chunk);
          });
        });
        servers.push(server);
        await new Promise<void>((resolve) =>
          server.listen(0, '127.0.0.1', resolve),
        );
        const port = (server.address() as AddressInfo).port;
        const strict = await dial(tlsDialer(context({})), '127.0.0.1', port);
        expect(failed(strict).code).toBe('ETLSHANDSHAKE');
        const lenient = await dial(
          tlsDialer(context({ supportDowngrade: true })),
          '127.0.0.1',
          port,
        );
        const socket = ready(lenient);
        expect('encrypted' in socket).toBe(false);
        expect(await echo(socket, 'plain again')).toBe('plain again');
        socket.destroy();
      });
    });

    /** A TLS listener presenting `files` instead of the node certificate; returns its port. */
    async function tlsListenerWith(files: {
      certFile: string;
      keyFile: string;
    }): Promise<number> {
      const acceptor = new TlsAcceptor(
        loadTlsContext(
          resolveTlsSettings(
            { enabled: true, certFile: files.certFile, keyFile: files.keyFile },
            {},
          ).settings,
        ),
        {
          onConnection: (socket) => socket.on('error', () => undefined),
          onError: () => undefined,
        },
      );
      const server = createServer((socket) => acceptor.accept(socket));
      servers.push(server);
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      return (server.address() as AddressInfo).port;
    }
  },
);
