import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { describe, expect, it } from '@jest/globals';

import {
  classifyFirstBytes,
  opensLikeTls,
} from '../../lib/wire/tls/tls-sniff.js';

/** The first bytes a real Node TLS client sends (its ClientHello), as a server reads them. */
async function realClientHello(): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const first = new Promise<Buffer>((resolve) =>
      server.once('connection', (socket) => {
        socket.once('data', (chunk: Buffer) => {
          resolve(chunk);
          socket.destroy();
        });
      }),
    );
    const client = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      rejectUnauthorized: false,
    });
    client.on('error', () => undefined);
    return await first;
  } finally {
    server.close();
  }
}

describe('classifyFirstBytes', () => {
  it('recognises a real ClientHello, also when it arrives in pieces', async () => {
    const hello = await realClientHello();
    expect(classifyFirstBytes(hello)).toBe('tls');
    for (let n = 1; n < 6; n++) {
      expect(classifyFirstBytes(hello.subarray(0, n))).toBe('undecided');
    }
    expect(classifyFirstBytes(hello.subarray(0, 6))).toBe('tls');
    expect(opensLikeTls(hello.subarray(0, 1))).toBe(true);
  });

  it('takes every libprocess request dialect as plain', () => {
    for (const head of [
      'POST /echo/count HTTP/1.1\r\n',
      'POST /echo/count HTTP/1.0\r\n',
      'GET /__processes__ HTTP/1.1\r\n',
      'P',
    ]) {
      expect(classifyFirstBytes(Buffer.from(head))).toBe('plain');
      expect(opensLikeTls(Buffer.from(head))).toBe(false);
    }
  });

  it("applies the rest of libprocess' rules", () => {
    // A handshake record of another major version, or not a ClientHello.
    expect(classifyFirstBytes(Buffer.from([0x16, 0x02]))).toBe('plain');
    expect(
      classifyFirstBytes(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10, 0x02])),
    ).toBe('plain');
    // An SSLv2-style ClientHello: high bit set, message type 1 in byte 2.
    expect(classifyFirstBytes(Buffer.from([0x80, 0x2e, 0x01]))).toBe('tls');
    expect(classifyFirstBytes(Buffer.from([0x80, 0x2e]))).toBe('undecided');
    expect(classifyFirstBytes(Buffer.from([0x80, 0x2e, 0x04]))).toBe('plain');
    expect(classifyFirstBytes(Buffer.alloc(0))).toBe('undecided');
    expect(opensLikeTls(Buffer.alloc(0))).toBe(false);
  });
});
