import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import {
  ActorRef,
  LibprocessContext,
  Mailbox,
  Process,
  TlsConfigError,
} from '../../lib/index.js';
import { startNode, type TestNode } from '../e2e/support/start-node.js';
import { describeRequiring } from '../support/require-gate.js';
import {
  opensslAvailability,
  TestPki,
  type CertificateFiles,
} from './tls-certificates.js';

@Process('echo')
@Injectable()
class Echo {
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.send(ctx.from, 'pong', body);
  }
}

describeRequiring(
  'ActorModule.forRoot({ ssl })',
  opensslAvailability(),
  { what: 'the openssl CLI', requiredBy: 'LIBPROCESS_INTEROP_REQUIRED' },
  () => {
    let pki: TestPki;
    let ca: CertificateFiles;
    let files: CertificateFiles;
    const started: TestNode[] = [];

    beforeAll(() => {
      pki = TestPki.create();
      ca = pki.ca('ca');
      files = pki.node('node', ca);
    }, 60_000);
    afterEach(async () => {
      await Promise.all(started.splice(0).map((node) => node.app.close()));
    });
    afterAll(() => pki?.dispose());

    it('runs the node over TLS: an ask round trip between two TLS nodes, verified both ways', async () => {
      const ssl = {
        enabled: true,
        certFile: files.certFile,
        keyFile: files.keyFile,
        requireClientCert: true,
        caFile: ca.certFile,
      };
      const server = await startNode({ providers: [Echo] }, { ssl });
      started.push(server);
      const client = await startNode({ providers: [] }, { ssl });
      started.push(client);
      const reply = await client.actors.ask(server.pid('echo'), 'ping', 'hi', {
        reply: 'pong',
        timeoutMs: 10_000,
      });
      expect(reply.body.toString()).toBe('hi');
      expect(reply.from.toString()).toBe(server.pid('echo').toString());
    }, 30_000);

    it('fails listen() with a TlsConfigError naming the option', async () => {
      await expect(
        startNode(
          { providers: [] },
          { ssl: { enabled: true, certFile: files.certFile } },
        ),
      ).rejects.toThrow(TlsConfigError);
    });
  },
);
