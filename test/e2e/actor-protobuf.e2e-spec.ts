import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { Root } from 'protobufjs';

import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  Process,
  ProtobufMailbox,
  UnknownProtobufTypeError,
} from '../../lib/index.js';
import { fixturePath } from '../support/paths.js';
import { waitFor } from '../support/wait-for.js';
import { rawClient } from '../wire/wire-test.helpers.js';
import { startNode, type TestNode } from './support/start-node.js';

const PROTO = fixturePath('actor-messages.proto');

@Process('pinger')
@Injectable()
class Pinger {
  readonly received: Array<Record<string, unknown>> = [];
  readonly names: string[] = [];
  constructor(private readonly actors: ActorRef) {}

  @ProtobufMailbox('test.actor.Ping')
  ping(
    @Payload() ping: { value: string; sequence?: string; kind?: string },
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.received.push(ping);
    this.names.push(ctx.name);
    this.actors.sendProto(ctx.from, 'test.actor.Pong', { value: ping.value });
  }

  /** The mesos-go naming scheme: another message name, the same body type. */
  @ProtobufMailbox('test.actor.Ping', 'ping')
  plainPing(@Payload('value') value: string): void {
    this.received.push({ plain: value });
  }
}

@Process('collector')
@Injectable()
class Collector {
  readonly pongs: string[] = [];

  @ProtobufMailbox('test.actor.Pong')
  pong(@Payload() pong: { value: string }): void {
    this.pongs.push(pong.value);
  }
}

describe('ActorModule protobuf mailboxes', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  it('decodes @ProtobufMailbox payloads and sends protobuf replies', async () => {
    const server = await startNode(
      { providers: [Pinger] },
      { protobuf: { files: [PROTO] } },
    );
    // The client loads the same types as a protobufjs Root.
    const root = await new Root().load(PROTO, { keepCase: true });
    const client = await startNode(
      { providers: [Collector] },
      { protobuf: { root } },
    );
    nodes.push(server, client);
    const collector = client.get(Collector);
    const PingType = root.lookupType('test.actor.Ping');

    client.actors.sendProto(
      server.pid('pinger'),
      'test.actor.Ping',
      { value: 'a', sequence: '9007199254740993', kind: 'LONG' },
      { from: collector },
    );
    client.actors.sendProto(
      server.pid('pinger'),
      PingType.create({ value: 'b' }),
      { from: collector },
    );
    client.actors.send(
      server.pid('pinger'),
      'ping',
      PingType.encode({ value: 'c' }).finish(),
      { from: collector },
    );
    await waitFor(() => collector.pongs.length === 2, 5000, 'two pongs');
    expect(collector.pongs).toEqual(['a', 'b']);
    const pinger = server.get(Pinger);
    await waitFor(() => pinger.received.length === 3, 5000, 'three pings');
    expect(pinger.received).toEqual([
      { value: 'a', sequence: '9007199254740993', kind: 'LONG' },
      { value: 'b' },
      { plain: 'c' },
    ]);
    expect(pinger.names).toEqual(['test.actor.Ping', 'test.actor.Ping']);
  });

  it('logs and drops an undecodable body, then goes on', async () => {
    const server = await startNode(
      { providers: [Pinger] },
      { protobuf: { files: [PROTO] } },
    );
    nodes.push(server);
    const raw = await rawClient(server.pid('pinger').port);
    // A required field is missing, then a valid message.
    const valid = Buffer.from([0x0a, 0x02, 0x6f, 0x6b]);
    raw.socket.write(
      `POST /pinger/test.actor.Ping HTTP/1.1\r\nLibprocess-From: peer@127.0.0.1:1\r\nContent-Length: 2\r\n\r\n\x10\x01` +
        `POST /pinger/test.actor.Ping HTTP/1.1\r\nLibprocess-From: peer@127.0.0.1:1\r\nContent-Length: 4\r\n\r\n`,
    );
    raw.socket.write(valid);
    const pinger = server.get(Pinger);
    await waitFor(() => pinger.received.length === 1, 5000, 'the valid ping');
    raw.socket.destroy();
    expect(pinger.received).toEqual([{ value: 'ok' }]);
  });

  it('fails at startup when a @ProtobufMailbox type is unknown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ActorModule.forRoot({ port: 0 })],
      providers: [Pinger],
    }).compile();
    const error = await moduleRef.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownProtobufTypeError);
    expect((error as Error).message).toMatch(
      /@ProtobufMailbox\("test\.actor\.Ping"\) on pinger\.ping/,
    );
    await moduleRef.close();
  });
});
