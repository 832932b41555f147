import { createServer, type Server } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, type INestMicroservice, Injectable } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';

import {
  ActorModule,
  BindError,
  DuplicateProcessError,
  LibprocessServer,
  LibprocessStatus,
  Mailbox,
  Process,
} from '../../lib/index.js';
import { closedLoopbackPort } from '../support/ports.js';

@Process('dup')
@Injectable()
class DupProcess {
  @Mailbox('x') x(): void {}
}

@Controller()
class DupController {
  @EventPattern<string>('dup/x') x(): void {}
}

@Controller()
class PatternController {
  @EventPattern<string>('pattern/x') x(): void {}
}

async function microservice(
  port: number,
  providers: unknown[],
  controllers: unknown[],
): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({
    imports: [ActorModule.forRoot({ ip: '127.0.0.1', port })],
    providers: providers as never[],
    controllers: controllers as never[],
  }).compile();
  return moduleRef.createNestMicroservice({
    strategy: moduleRef.get(LibprocessServer),
    logger: false,
  });
}

/** Resolves when `port` can be bound (nothing holds it), rejects with the bind error. */
function bindAndRelease(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

describe('LibprocessServer.listen() failures', () => {
  let app: INestMicroservice | undefined;
  let blocker: Server | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await new Promise(
      (resolve) => blocker?.close(resolve) ?? resolve(undefined),
    );
    blocker = undefined;
  });

  it('leaves nothing bound when a process id is taken, and fails again on the next listen()', async () => {
    const port = await closedLoopbackPort();
    app = await microservice(port, [DupProcess], [DupController]);
    const error = await app.listen().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateProcessError);
    expect((error as Error).message).toContain(
      '"dup" already exists on this node (DupProcess; @EventPattern asked for the same id)',
    );
    await expect(bindAndRelease(port)).resolves.toBeUndefined();
    // Not a silent success on a half-started node.
    await expect(app.listen()).rejects.toBeInstanceOf(DuplicateProcessError);
    expect(() => app!.get(LibprocessServer).unwrap()).toThrow(
      /Not initialized/,
    );
  });

  it('binds on the next listen() after the port was in use, with each process once', async () => {
    const port = await closedLoopbackPort();
    blocker = createServer();
    await new Promise<void>((resolve) =>
      blocker!.listen(port, '127.0.0.1', resolve),
    );
    app = await microservice(port, [DupProcess], [PatternController]);
    const statuses: string[] = [];
    app.status.subscribe((status) => statuses.push(status));
    await expect(app.listen()).rejects.toBeInstanceOf(BindError);
    await new Promise((resolve) => blocker!.close(resolve));
    blocker = undefined;

    await app.listen();
    expect(statuses).toEqual([
      LibprocessStatus.CLOSED,
      LibprocessStatus.LISTENING,
    ]);
    const listing = (await (
      await fetch(`http://127.0.0.1:${port}/__processes__`)
    ).json()) as Array<{ id: string }>;
    expect(listing.map((p) => p.id).sort()).toEqual(['dup', 'pattern']);
  });
});
