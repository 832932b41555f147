import { createServer, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import {
  ActorRef,
  AskTimeoutError,
  LibprocessContext,
  LibprocessServer,
  Mailbox,
  OnExited,
  OnInitialize,
  OnLinked,
  Process,
  Upid,
} from '../../lib/index.js';
import { closedLoopbackPort } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';
import { rawClient } from '../wire/wire-test.helpers.js';
import { startNode, type TestNode } from './support/start-node.js';

@Process('echo')
@Injectable()
class Echo {
  readonly pings: string[] = [];
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.pings.push(body.toString());
    this.actors.send(ctx.from, 'pong', body);
  }

  @Mailbox('boom')
  boom(): void {
    throw new Error('boom handler failed');
  }

  @Mailbox('slow-boom')
  async slowBoom(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('async boom');
  }
}

@Process('client')
@Injectable()
class Client {
  readonly pongs: Array<{ body: string; from: string }> = [];
  readonly exited: string[] = [];
  readonly linked: string[] = [];
  self?: Upid;

  @OnInitialize()
  init(self: Upid): void {
    this.self = self;
  }

  @Mailbox('pong')
  pong(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.pongs.push({ body: body.toString(), from: ctx.from.toString() });
  }

  @OnLinked()
  onLinked(pid: Upid): void {
    this.linked.push(pid.toString());
  }

  @OnExited()
  onExited(pid: Upid): void {
    this.exited.push(pid.toString());
  }
}

/** A runtime process: records the order in which its methods ran. */
class Worker {
  readonly log: string[] = [];
  readonly exited: string[] = [];

  @Mailbox('work')
  work(@Payload() body: Buffer): void {
    this.log.push(`message:${body.toString()}`);
  }

  step(name: string): string {
    this.log.push(name);
    return name.toUpperCase();
  }

  async slowStep(name: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.log.push(name);
  }

  /** Runs until the test calls `release()`. */
  held = false;
  release: () => void = () => undefined;
  async hold(): Promise<void> {
    this.held = true;
    await new Promise<void>((resolve) => (this.release = resolve));
    this.log.push('held');
  }

  @OnExited()
  onExited(pid: Upid): void {
    this.exited.push(pid.toString());
  }
}

/** Sends every ball it gets back to its peer. */
class Bouncer {
  hits = 0;
  peer?: Upid;
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ball')
  ball(): void {
    this.hits++;
    this.actors.send(this.peer!, 'ball', '');
  }
}

describe('ActorModule messaging', () => {
  const nodes: TestNode[] = [];
  const startTracked = async (
    ...args: Parameters<typeof startNode>
  ): Promise<TestNode> => {
    const node = await startNode(...args);
    nodes.push(node);
    return node;
  };
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  it('delivers messages in order to a @Mailbox handler and the replies back', async () => {
    const server = await startTracked({ providers: [Echo] });
    const client = await startTracked({ providers: [Client] });
    const clientProcess = client.get(Client);
    await waitFor(
      () => clientProcess.self !== undefined,
      5000,
      '@OnInitialize',
    );
    expect(clientProcess.self?.toString()).toBe(
      client.pid('client').toString(),
    );

    for (let i = 0; i < 100; i++) {
      client.actors.send(server.pid('echo'), 'ping', `hello ${i}`, {
        from: clientProcess,
      });
    }
    await waitFor(() => clientProcess.pongs.length === 100, 5000, '100 pongs');
    expect(server.get(Echo).pings).toEqual(
      Array.from({ length: 100 }, (_, i) => `hello ${i}`),
    );
    expect(clientProcess.pongs[99]).toEqual({
      body: 'hello 99',
      from: server.pid('echo').toString(),
    });
  });

  it('delivers local sends without a socket', async () => {
    const node = await startTracked({ providers: [Echo, Client] });
    const clientProcess = node.get(Client);
    node.actors.send(node.pid('echo'), 'ping', 'local', {
      from: clientProcess,
    });
    await waitFor(() => clientProcess.pongs.length === 1, 5000, 'a pong');
    expect(clientProcess.pongs[0].body).toBe('local');
    const wire = node.server.unwrap<{ linksOf(pid: Upid): Upid[] }>();
    expect(wire.linksOf(node.pid('client'))).toEqual([]);
  });

  it('keeps a process running after its handler throws, and answers unknown mailboxes 202', async () => {
    const server = await startTracked({ providers: [Echo] });
    const client = await startTracked({ providers: [Client] });
    const clientProcess = client.get(Client);
    const echo = server.pid('echo');
    client.actors.send(echo, 'boom', '', { from: clientProcess });
    client.actors.send(echo, 'slow-boom', '', { from: clientProcess });
    client.actors.send(echo, 'no-such-mailbox', '', { from: clientProcess });
    client.actors.send(echo, 'ping', 'still alive', { from: clientProcess });
    await waitFor(() => clientProcess.pongs.length === 1, 5000, 'a pong');

    const raw = await rawClient(server.pid('echo').port);
    raw.socket.write(
      `POST /echo/no-such-mailbox HTTP/1.1\r\nLibprocess-From: peer@127.0.0.1:1\r\nContent-Length: 0\r\n\r\n` +
        `POST /nobody/ping HTTP/1.1\r\nLibprocess-From: peer@127.0.0.1:1\r\nContent-Length: 0\r\n\r\n`,
    );
    await waitFor(() => raw.text().includes('404'), 5000, 'two responses');
    raw.socket.destroy();
    expect(raw.text()).toMatch(/^HTTP\/1\.1 202 Accepted[\s\S]*HTTP\/1\.1 404/);
  });

  it('fires @OnLinked, then @OnExited when the linked node closes', async () => {
    const server = await startNode({ providers: [Echo] });
    const client = await startTracked({ providers: [Client] });
    const clientProcess = client.get(Client);
    const exitedEvents: string[] = [];
    client.server.on('exited', (from, to) =>
      exitedEvents.push(`${from} -> ${to}`),
    );
    client.actors.link(server.pid('echo'), { from: clientProcess });
    await waitFor(() => clientProcess.linked.length === 1, 5000, '@OnLinked');
    expect(client.actors.links(clientProcess).map(String)).toEqual([
      server.pid('echo').toString(),
    ]);

    await server.app.close();
    await waitFor(() => clientProcess.exited.length === 1, 5000, '@OnExited');
    expect(clientProcess.exited).toEqual([server.pid('echo').toString()]);
    expect(exitedEvents).toEqual([
      `${client.pid('client')} -> ${server.pid('echo')}`,
    ]);
  });

  it('fires @OnExited when the socket to the linked peer is destroyed', async () => {
    const sockets: Socket[] = [];
    const peer = createServer((socket) => {
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (peer.address() as { port: number }).port;
      const client = await startTracked({ providers: [Client] });
      const clientProcess = client.get(Client);
      client.actors.link(`master@127.0.0.1:${port}`, { from: clientProcess });
      await waitFor(() => sockets.length === 1, 5000, 'the link socket');
      sockets[0].destroy();
      await waitFor(() => clientProcess.exited.length === 1, 5000, '@OnExited');
      expect(clientProcess.exited).toEqual([`master@127.0.0.1:${port}`]);
    } finally {
      await new Promise((resolve) => peer.close(resolve));
    }
  });

  it('asks for a reply, and rejects with AskTimeoutError when none comes', async () => {
    const server = await startTracked({ providers: [Echo] });
    const client = await startTracked({ providers: [] });
    const reply = await client.actors.ask(server.pid('echo'), 'ping', 'hi', {
      reply: 'pong',
      timeoutMs: 5000,
    });
    expect(reply.body.toString()).toBe('hi');
    expect(reply.from.toString()).toBe(server.pid('echo').toString());

    const silent = client.actors.ask(server.pid('echo'), 'boom', '', {
      reply: 'pong',
      timeoutMs: 100,
    });
    await expect(silent).rejects.toBeInstanceOf(AskTimeoutError);
    await expect(silent).rejects.toThrow(
      /No "pong" from "echo@.*" within 100 ms/,
    );
    // The temporary sender processes (`ask(N)`) are gone.
    const { port } = client.pid('x');
    const listing = (await (
      await fetch(`http://127.0.0.1:${port}/__processes__`)
    ).json()) as Array<{ id: string }>;
    expect(listing.map((p) => p.id)).toEqual([]);
  });

  it('runs dispatch, delay and messages of one process in queue order', async () => {
    const node = await startTracked({ providers: [Client] });
    const worker = new Worker();
    const pid = node.actors.spawn(worker);
    expect(pid.id).toBe('worker(1)');
    const from = { from: node.get(Client) };

    const slow = node.actors.dispatch(worker, 'slowStep', 'first');
    node.actors.send(pid, 'work', 'm1', from);
    const second = node.actors.dispatch(worker, 'step', 'second');
    node.actors.delay(30, worker, 'step', 'delayed');
    const cancelled = node.actors.delay(10, worker, 'step', 'cancelled');
    expect(cancelled.cancel()).toBe(true);
    node.actors.send(pid, 'work', 'm2', from);

    await slow;
    await expect(second).resolves.toBe('SECOND');
    await waitFor(() => worker.log.length === 5, 5000, 'the delayed step');
    expect(worker.log).toEqual([
      'first',
      'message:m1',
      'second',
      'message:m2',
      'delayed',
    ]);
    expect(cancelled.pending).toBe(false);
  });

  it('spawns processes with unique ids and terminates them, notifying linked processes', async () => {
    const node = await startTracked({ providers: [Client] });
    const remote = await startTracked({ providers: [Client] });
    const a = new Worker();
    const b = new Worker();
    const pidA = node.actors.spawn(a);
    const pidB = node.actors.spawn(b);
    const named = node.actors.spawn(new Worker(), 'named');
    expect([pidA.id, pidB.id, named.id]).toEqual([
      'worker(1)',
      'worker(2)',
      'named',
    ]);
    expect(() => node.actors.spawn(new Worker(), 'named')).toThrow(
      /already exists/,
    );

    node.actors.link(pidA, { from: b });
    const remoteClient = remote.get(Client);
    const running = node.actors.dispatch(a, 'hold');
    const queued = node.actors.dispatch(a, 'step', 'never');
    await waitFor(() => a.held, 5000, 'the held call to start');
    node.actors.terminate(pidA);
    await expect(queued).rejects.toThrow(/terminated/);
    // The running call finishes; nothing queued behind it runs.
    a.release();
    await running;
    await waitFor(() => b.exited.length === 1, 5000, '@OnExited of b');
    expect(b.exited).toEqual([pidA.toString()]);
    expect(() => node.actors.self(a)).toThrow(/not a libprocess process/);

    // Linking to a process that no longer exists reports its exit at once.
    node.actors.link(pidA, { from: b });
    await waitFor(() => b.exited.length === 2, 5000, 'a second @OnExited');

    // A remote sender gets 404 for the terminated process; its own node is unaffected.
    remote.actors.send(pidA, 'work', 'late', { from: remoteClient });
    remote.actors.send(pidB, 'work', 'on time', { from: remoteClient });
    await waitFor(() => b.log.length === 1, 5000, 'the message to b');
    expect(a.log).toEqual(['held']);
    expect(b.log).toEqual(['message:on time']);
  });

  it('keeps timers and sockets served while local processes message each other forever', async () => {
    const node = await startTracked({ providers: [] });
    const a = new Bouncer(node.actors);
    const b = new Bouncer(node.actors);
    const pidA = node.actors.spawn(a);
    const pidB = node.actors.spawn(b);
    a.peer = pidB;
    b.peer = pidA;
    node.actors.send(pidB, 'ball', '', { from: a });
    await waitFor(() => a.hits + b.hits > 1000, 5000, 'the ball to bounce');
    const bounced = a.hits + b.hits;
    const listing = (await (
      await fetch(`http://127.0.0.1:${pidA.port}/__processes__`)
    ).json()) as Array<{ id: string }>;
    // Served while the ball kept bouncing.
    expect(a.hits + b.hits).toBeGreaterThan(bounced);
    expect(listing.map((p) => p.id).sort()).toEqual([
      'bouncer(1)',
      'bouncer(2)',
    ]);
    node.actors.terminate(a);
    node.actors.terminate(b);
  });

  it('reports a send that cannot be delivered as an error event', async () => {
    const node = await startTracked({ providers: [Client] });
    const errors: Error[] = [];
    node.server.on('error', (error) => errors.push(error));
    const port = await closedLoopbackPort();
    node.actors.send(`nobody@127.0.0.1:${port}`, 'hello', 'x', {
      from: node.get(Client),
    });
    await waitFor(() => errors.length > 0, 5000, 'an error event');
    expect(errors[0].message).toContain(`127.0.0.1:${port}`);
  });

  it('exposes the server status and the wire node', async () => {
    const node = await startNode({ providers: [Client] });
    const statuses: string[] = [];
    const subscription = node.server.status.subscribe((s) => statuses.push(s));
    expect(node.server).toBeInstanceOf(LibprocessServer);
    expect(node.server.unwrap<{ listening: boolean }>().listening).toBe(true);
    await node.app.close();
    await node.server.close();
    subscription.unsubscribe();
    expect(statuses).toEqual(['listening', 'closed']);
  });
});
