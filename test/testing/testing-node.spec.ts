import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Root } from 'protobufjs';

import {
  ActorRef,
  type LibprocessContext,
  Mailbox,
  Process,
  ProtobufMailbox,
  type Upid,
} from '../../lib/index.js';
import {
  createTestingNode,
  type TestingNode,
} from '../../lib/testing/index.js';
import { fixturePath } from '../support/paths.js';

const PROTO = fixturePath('actor-messages.proto');
const root = new Root().loadSync(PROTO, { keepCase: true });
const Ping = root.lookupType('test.actor.Ping');
const Pong = root.lookupType('test.actor.Pong');

/** Echoes `ping` as `pong` and counts what it handled. */
@Process('echo')
@Injectable()
class EchoProcess {
  readonly handled: string[] = [];

  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.handled.push(body.toString());
    this.actors.send(ctx.from, 'pong', body);
  }

  @ProtobufMailbox('test.actor.Ping')
  protoPing(
    @Payload() ping: { value: string; sequence: string },
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.handled.push(`proto:${ping.value}:${ping.sequence}`);
    this.actors.sendProto(ctx.from, 'test.actor.Pong', { value: ping.value });
  }
}

/** Sends `tick` to whoever asked, after a delay on its own queue. */
@Process('ticker')
@Injectable()
class TickerProcess {
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('start')
  start(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.delay(
      Number(body.toString()),
      this as TickerProcess,
      'tick',
      ctx.from,
    );
  }

  tick(to: Upid): void {
    this.actors.send(to, 'tick', 'late');
  }
}

describe('nestjs-libprocess/testing', () => {
  let node: TestingNode;

  afterEach(async () => {
    jest.useRealTimers();
    await node?.close();
  });

  const start = () =>
    createTestingNode(
      { providers: [EchoProcess, TickerProcess] },
      { actor: { protobuf: { files: [PROTO] } } },
    );

  it('runs the processes on a free loopback port', async () => {
    node = await start();
    expect(node.address.ip).toBe('127.0.0.1');
    expect(node.address.port).toBeGreaterThan(0);
    expect(`${node.pid('echo')}`).toBe(`echo@127.0.0.1:${node.address.port}`);
    expect(node.get(EchoProcess)).toBeInstanceOf(EchoProcess);
  });

  it('a probe sends over a socket and expects the reply by name and sender', async () => {
    node = await start();
    const probe = await node.createProbe('master');
    expect(`${probe.pid}`).toMatch(/^master@127\.0\.0\.1:\d+$/);
    probe.send(node.pid('echo'), 'ping', 'hello');
    const pong = await probe.expectMessage('pong', { from: node.pid('echo') });
    expect(pong.body.toString()).toBe('hello');
    expect(`${pong.to}`).toBe(`${probe.pid}`);
    expect(node.get(EchoProcess).handled).toEqual(['hello']);
  });

  it('expectMessage takes messages oldest first, each once, including ones already received', async () => {
    node = await start();
    const probe = await node.createProbe();
    for (const body of ['1', '2', '3'])
      probe.send(node.pid('echo'), 'ping', body);
    await node.futureMessage('ping', { to: 'echo' }); // the first one at least was handled
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      bodies.push(
        (await probe.expectMessage('pong', { from: 'echo' })).body.toString(),
      );
    }
    expect(bodies).toEqual(['1', '2', '3']);
    expect(probe.received.map((m) => m.name)).toEqual(['pong', 'pong', 'pong']);
  });

  it('a failed expectation names what was expected and lists what arrived', async () => {
    node = await start();
    const probe = await node.createProbe();
    probe.send(node.pid('echo'), 'ping', 'x');
    await probe.expectMessage('pong');
    await expect(
      probe.expectMessage('pong', { from: node.pid('echo'), timeoutMs: 200 }),
    ).rejects.toThrow(
      new RegExp(
        `^probe@127\\.0\\.0\\.1:\\d+ expected "pong" from echo@127\\.0\\.0\\.1:\\d+ within 200 ms; received "pong" from echo@127\\.0\\.0\\.1:\\d+ \\(taken\\)$`,
      ),
    );
  });

  it('futureMessage resolves once the handler has run (FUTURE_MESSAGE)', async () => {
    node = await start();
    const probe = await node.createProbe();
    const delivered = node.futureMessage('ping', {
      from: probe.pid,
      to: 'echo',
    });
    probe.send(node.pid('echo'), 'ping', 'observed');
    const message = await delivered;
    expect(message).toMatchObject({ name: 'ping' });
    expect(`${message.from}`).toBe(`${probe.pid}`);
    expect(`${message.to}`).toBe(`${node.pid('echo')}`);
    expect(message.body.toString()).toBe('observed');
    expect(node.get(EchoProcess).handled).toEqual(['observed']);
  });

  it('dropMessage drops the next match only: its handler never runs (DROP_MESSAGE)', async () => {
    node = await start();
    const probe = await node.createProbe();
    const dropped = node.dropMessage('ping', { to: 'echo' });
    probe.send(node.pid('echo'), 'ping', 'first');
    probe.send(node.pid('echo'), 'ping', 'second');
    expect((await dropped).body.toString()).toBe('first');
    // The first pong the probe gets is the second ping's: the first never reached the handler.
    expect((await probe.expectMessage('pong')).body.toString()).toBe('second');
    expect(node.get(EchoProcess).handled).toEqual(['second']);
  });

  it('dropMessages drops every match until stopped (DROP_MESSAGES)', async () => {
    node = await start();
    const probe = await node.createProbe();
    const drop = node.dropMessages('ping', { from: probe.pid });
    for (const body of ['a', 'b', 'c'])
      probe.send(node.pid('echo'), 'ping', body);
    // Observers see dropped messages too.
    while (drop.dropped.length < 3) await node.futureMessage('ping');
    drop.stop();
    probe.send(node.pid('echo'), 'ping', 'd');
    expect((await probe.expectMessage('pong')).body.toString()).toBe('d');
    expect(drop.dropped.map((m) => m.body.toString())).toEqual(['a', 'b', 'c']);
    expect(node.get(EchoProcess).handled).toEqual(['d']);
  });

  it('protobuf messages: sendProto from the probe, expectProtobuf decodes like @ProtobufMailbox', async () => {
    node = await start();
    const probe = await node.createProbe();
    const delivered = node.futureMessage(Ping, { to: 'echo' });
    probe.sendProto(node.pid('echo'), Ping, { value: 'v', sequence: 7 });
    expect((await delivered).name).toBe('test.actor.Ping');
    const pong = await probe.expectProtobuf(Pong, { from: 'echo' });
    expect(pong.name).toBe('test.actor.Pong');
    expect(pong.object).toEqual({ value: 'v' });
    expect(node.get(EchoProcess).handled).toEqual(['proto:v:7']);
  });

  it('delays run when Jest fake timers advance, not before', async () => {
    node = await start();
    const probe = await node.createProbe();
    const started = node.futureMessage('start', { to: 'ticker' });
    // Timers only: sockets and the process queues keep running on the real event loop.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    probe.send(node.pid('ticker'), 'start', '60000');
    await started;
    await jest.advanceTimersByTimeAsync(59_999);
    // A round trip over the node's one connection to the probe: a tick sent before the pong
    // would have arrived before it.
    probe.send(node.pid('echo'), 'ping', 'barrier');
    await probe.expectMessage('pong');
    expect(probe.received.map((m) => m.name)).toEqual(['pong']);
    await jest.advanceTimersByTimeAsync(1);
    const tick = await probe.expectMessage('tick', { from: 'ticker' });
    expect(tick.body.toString()).toBe('late');
  });

  it('a probe linked to a process of the node sees it exit when the node closes', async () => {
    node = await start();
    const probe = await node.createProbe();
    probe.link(node.pid('echo'));
    // A message over the link's connection proves it is up before the node goes away.
    probe.send(node.pid('echo'), 'ping', 'up');
    await probe.expectMessage('pong');
    const exited = probe.expectExited(node.pid('echo'));
    await node.app.close();
    await exited;
  });

  it('close() rejects expectations still waiting', async () => {
    node = await start();
    const never = node.futureMessage('ping', { from: 'nobody' });
    await node.close();
    await expect(never).rejects.toThrow(
      'the testing node closed before "ping" was delivered',
    );
  });
});
