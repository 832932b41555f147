import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import {
  TlsConfigError,
  Upid,
  WireNode,
  type TlsOptions,
  type WireError,
} from '../../lib/wire/index.js';
import { waitFor } from '../support/wait-for.js';
import { wireTestScope } from '../wire/wire-test.helpers.js';
import {
  opensslAvailability,
  TestPki,
  type CertificateFiles,
} from './tls-certificates.js';
import { describeRequiring } from '../support/require-gate.js';

const { node, onCleanup } = wireTestScope();

describeRequiring(
  'WireNode over TLS (suite)',
  opensslAvailability(),
  { what: 'the openssl CLI', requiredBy: 'LIBPROCESS_INTEROP_REQUIRED' },
  () => {
    let pki: TestPki;
    let ca: CertificateFiles;
    let files: CertificateFiles;

    beforeAll(() => {
      pki = TestPki.create();
      ca = pki.ca('ca');
      files = pki.node('node', ca);
    }, 60_000);
    afterAll(() => pki?.dispose());

    function tls(options: TlsOptions = {}): TlsOptions {
      return {
        enabled: true,
        certFile: files.certFile,
        keyFile: files.keyFile,
        ...options,
      };
    }

    function codes(errors: Error[]): string[] {
      return errors.map((e) => (e as WireError).code);
    }

    /** A raw TCP client that records what comes back and when it closes. */
    function raw(port: number): {
      socket: Socket;
      bytes: () => number;
      closed: Promise<void>;
    } {
      const socket = connectTcp({ host: '127.0.0.1', port });
      let count = 0;
      socket.on('data', (chunk) => (count += chunk.length));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) =>
        socket.once('close', () => resolve()),
      );
      return { socket, bytes: () => count, closed };
    }

    describe('WireNode over TLS', () => {
      it('delivers messages both ways between two TLS nodes, links fire exited once', async () => {
        const a = await node({}, { ssl: tls() });
        const b = await node({}, { ssl: tls() });
        const exited: string[] = [];
        a.node.on('exited', (from, to) => exited.push(`${from}->${to}`));
        const linked = new Promise((resolve) => a.node.once('linked', resolve));
        a.node.link(a.node.pid('x'), b.node.pid('echo'));
        await linked;
        for (let i = 0; i < 500; i++) {
          a.node.send(a.node.pid('x'), b.node.pid('echo'), 'count', `${i}`);
        }
        b.node.send(b.node.pid('echo'), a.node.pid('x'), 'pong', 'back');
        await waitFor(
          () => b.received.length === 500 && a.received.length === 1,
        );
        expect(b.received.map((m) => m.body.toString())).toEqual(
          Array.from({ length: 500 }, (_, i) => `${i}`),
        );
        expect(b.received[0].from.toString()).toBe(a.node.pid('x').toString());
        expect(a.received[0]).toMatchObject({ name: 'pong', to: 'x' });
        await b.node.close();
        await waitFor(() => exited.length === 1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(exited).toEqual([`${a.node.pid('x')}->${b.node.pid('echo')}`]);
        expect(a.errors).toEqual([]);
      });

      it('rejects listen() with a TlsConfigError naming the variable or option', async () => {
        const missing = new WireNode(
          {
            ip: '127.0.0.1',
            port: 0,
            ssl: tls({ certFile: '/nonexistent.crt' }),
          },
          { onMessage: () => true },
        );
        await expect(missing.listen()).rejects.toThrow(TlsConfigError);
        await expect(missing.listen()).rejects.toMatchObject({
          setting: 'ssl.certFile option',
          message:
            'ssl.certFile option "/nonexistent.crt": cannot read the certificate: no such file',
        });
        expect(missing.listening).toBe(false);
        await missing.close();
      });

      it('a TLS node to a plain node: the plain node closes at once, the TLS node reports it and fires exited once', async () => {
        const plain = await node();
        const secure = await node({}, { ssl: tls() });
        const exited: Upid[] = [];
        secure.node.on('exited', (_, to) => exited.push(to));
        secure.node.link(secure.node.pid('x'), plain.node.pid('echo'));
        secure.node.send(
          secure.node.pid('x'),
          plain.node.pid('echo'),
          'count',
          'lost',
        );
        await waitFor(() => exited.length === 1 && secure.errors.length === 1);
        expect(codes(secure.errors)).toEqual(['ETLSHANDSHAKE']);
        expect(secure.errors[0].message).toMatch(
          /^Connection to 127\.0\.0\.1:\d+ failed: TLS handshake failed: (the server closed the connection|connection reset by the peer); \d+ queued bytes dropped$/,
        );
        expect(codes(plain.errors)).toEqual(['ETLSREFUSED']);
        expect(plain.received).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(exited).toHaveLength(1);
      });

      it('a plain node to a TLS-only node: refused cleanly on both sides', async () => {
        const secure = await node({}, { ssl: tls() });
        const plain = await node();
        const exited: Upid[] = [];
        plain.node.on('exited', (_, to) => exited.push(to));
        plain.node.link(plain.node.pid('x'), secure.node.pid('echo'));
        await new Promise((resolve) => plain.node.once('linked', resolve));
        plain.node.send(
          plain.node.pid('x'),
          secure.node.pid('echo'),
          'count',
          'lost',
        );
        await waitFor(() => exited.length === 1 && secure.errors.length === 1);
        expect(codes(secure.errors)).toEqual(['ETLSHANDSHAKE']);
        expect(secure.errors[0].message).toMatch(
          /TLS handshake failed: http request$/,
        );
        expect(secure.received).toEqual([]);
      });

      it('with supportDowngrade, a TLS node and a plain node talk both ways on the same ports', async () => {
        const secure = await node({}, { ssl: tls({ supportDowngrade: true }) });
        const plain = await node();
        plain.node.send(
          plain.node.pid('x'),
          secure.node.pid('echo'),
          'ping',
          'p',
        );
        await waitFor(() => secure.received.length === 1);
        // The reply: TLS first, refused by the plain node, retried over plain TCP.
        secure.node.send(
          secure.node.pid('echo'),
          plain.node.pid('x'),
          'pong',
          'q',
        );
        await waitFor(() => plain.received.length === 1);
        expect(plain.received[0]).toMatchObject({ name: 'pong' });
        expect(secure.errors).toEqual([]);
        // A TLS client is served on the same port.
        const other = await node({}, { ssl: tls() });
        other.node.send(
          other.node.pid('y'),
          secure.node.pid('echo'),
          'count',
          'z',
        );
        await waitFor(() => secure.received.length === 2);
      });

      it('survives hostile input: garbage before and after the handshake, handshakes that never complete', async () => {
        const server = await node({}, { ssl: tls({ handshakeTimeout: 300 }) });
        const { port } = server.node.address;

        // Garbage instead of a ClientHello: the handshake fails, nothing is answered.
        const garbage = raw(port);
        garbage.socket.write(
          Buffer.from('\x16\x03\x01\x00\x05garbage and more garbage', 'latin1'),
        );
        await garbage.closed;

        // A handshake that stops half-way: closed after handshakeTimeout.
        const stalled = raw(port);
        stalled.socket.write(
          Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]),
        );
        await stalled.closed;

        // A connection that never sends anything: TLS only, so the handshake deadline applies too.
        const silent = raw(port);
        await silent.closed;

        // Garbage after a good handshake: answered like any bad HTTP request, then closed.
        const client = connectTls({
          host: '127.0.0.1',
          port,
          rejectUnauthorized: false,
        });
        client.on('error', () => undefined);
        await new Promise((resolve) => client.once('secureConnect', resolve));
        const answer: Buffer[] = [];
        client.on('data', (chunk) => answer.push(chunk));
        client.write('\x00\x01 this is not HTTP\r\n\r\n');
        await new Promise((resolve) => client.once('close', resolve));
        expect(Buffer.concat(answer).toString('latin1')).toMatch(
          /^HTTP\/1\.1 400 Bad Request\r\n/,
        );

        expect(codes(server.errors)).toEqual([
          'ETLSHANDSHAKE',
          'ETLSHANDSHAKE',
          'ETLSHANDSHAKE',
          expect.any(String),
        ]);
        expect(server.errors[1].message).toMatch(
          /not completed within 300 ms$/,
        );

        // Still healthy: a TLS node delivers.
        const sender = await node({}, { ssl: tls() });
        sender.node.send(
          sender.node.pid('s'),
          server.node.pid('echo'),
          'count',
          'ok',
        );
        await waitFor(() => server.received.length === 1);
      });

      it('a plain node closes a connection that opens with a ClientHello at once', async () => {
        const plain = await node();
        const client = connectTls({
          host: '127.0.0.1',
          port: plain.node.address.port,
          rejectUnauthorized: false,
        });
        const failed = new Promise<Error>((resolve) =>
          client.once('error', resolve),
        );
        onCleanup(() => client.destroy());
        const error = await failed;
        expect((error as NodeJS.ErrnoException).code).toMatch(
          /ECONNRESET|EPIPE/,
        );
        expect(plain.errors.map((e) => e.message)).toEqual([
          expect.stringMatching(
            /^Closing inbound connection from 127\.0\.0\.1:\d+: it opened a TLS handshake, but TLS is not enabled on this node \(LIBPROCESS_SSL_ENABLED\)$/,
          ),
        ]);
      });
    });
  },
);
