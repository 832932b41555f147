import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';

import {
  ActorModule,
  type ActorModuleOptions,
  type ActorOptionsFactory,
  ActorRef,
  LibprocessContext,
  LibprocessServer,
  Mailbox,
  OnExited,
  Process,
  ProtobufMailbox,
  type Upid,
  type WireNode,
} from '../../lib/index.js';
import { spyOnLogger } from '../support/logger-spy.js';
import { fixturePath } from '../support/paths.js';
import { startNode, type TestNode } from './support/start-node.js';

const PROTO = fixturePath('actor-messages.proto');

@Process('idle')
@Injectable()
class Idle {}

/** Handles 'n' slowly enough that messages queue up behind it. */
@Process('slow')
@Injectable()
class Slow {
  readonly handled: string[] = [];
  exits: string[] = [];

  @Mailbox('n')
  async n(@Payload() body: Buffer): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.handled.push(body.toString());
  }
}

@Process('watcher')
@Injectable()
class Watcher {
  readonly exited: string[] = [];
  private onExit: (() => void) | undefined;

  nextExit(): Promise<void> {
    return new Promise((resolve) => (this.onExit = resolve));
  }

  @OnExited()
  exitedHook(pid: Upid): void {
    this.exited.push(pid.id);
    this.onExit?.();
  }
}

@Process('echo')
@Injectable()
class ProtoEcho {
  constructor(private readonly actors: ActorRef) {}

  @ProtobufMailbox('test.actor.Ping')
  ping(
    @Payload() ping: { value: string },
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.actors.sendProto(ctx.from, 'test.actor.Pong', {
      value: `pong ${ping.value}`,
    });
  }

  /** The same body type under another name (mesos-go's scheme). */
  @ProtobufMailbox('test.actor.Ping', 'renamed')
  renamed(
    @Payload() ping: { value: string },
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.actors.sendProto(ctx.from, 'test.actor.Pong', {
      value: `renamed ${ping.value}`,
    });
  }
}

class OptionsFactory implements ActorOptionsFactory {
  createActorOptions(): ActorModuleOptions {
    return { ip: '127.0.0.1', port: 0 };
  }
}

class BadTimeoutFactory implements ActorOptionsFactory {
  async createActorOptions(): Promise<ActorModuleOptions> {
    return { ip: '127.0.0.1', port: 0, connectTimeout: -5 };
  }
}

async function microservice(
  imports: unknown[],
  providers: unknown[] = [],
): Promise<{ moduleRef: TestingModule; app: INestMicroservice }> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    providers: providers as never[],
  }).compile();
  const app = moduleRef.createNestMicroservice({
    strategy: moduleRef.get(LibprocessServer),
    logger: false,
  });
  return { moduleRef, app };
}

describe('ActorModule developer experience', () => {
  const nodes: TestNode[] = [];
  const modules: TestingModule[] = [];
  const apps: INestMicroservice[] = [];
  const env = { ...process.env };
  afterEach(async () => {
    process.env = { ...env };
    jest.useRealTimers();
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  it('warns when processes exist but the server never listens', async () => {
    const warn = spyOnLogger('warn');
    try {
      jest.useFakeTimers({
        doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      });
      const moduleRef = await Test.createTestingModule({
        imports: [ActorModule.forRoot({})],
        providers: [Idle],
      }).compile();
      modules.push(moduleRef);
      await moduleRef.init();
      jest.advanceTimersByTime(4999);
      expect(warn.messages()).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(warn.messages()).toEqual([
        expect.stringMatching(
          /^1 process\(es\) \(idle\) exist but LibprocessServer was not started 5 s after the application: .*createMicroservice/,
        ),
      ]);
    } finally {
      warn.restore();
    }
  });

  it('does not warn when the server listens', async () => {
    const warn = spyOnLogger('warn');
    try {
      jest.useFakeTimers({
        doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
      });
      const node = await startNode({ providers: [Idle] });
      nodes.push(node);
      jest.advanceTimersByTime(10_000);
      expect(warn.messages()).toEqual([]);
    } finally {
      warn.restore();
    }
  });

  it('takes its options from a useClass factory (createActorOptions), connectTimeout included', async () => {
    const good = await microservice(
      [ActorModule.forRootAsync({ useClass: OptionsFactory })],
      [Idle],
    );
    apps.push(good.app);
    await good.app.listen();
    expect(good.app.get(LibprocessServer).unwrap<WireNode>().address.ip).toBe(
      '127.0.0.1',
    );
    // connectTimeout reaches the node: the node rejects a bad one.
    const bad = await microservice([
      ActorModule.forRootAsync({ useClass: BadTimeoutFactory }),
    ]);
    apps.push(bad.app);
    await expect(bad.app.listen()).rejects.toThrow(/Invalid connectTimeout -5/);
  });

  it('warns when forRoot() is imported twice', async () => {
    const warn = spyOnLogger('warn');
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [ActorModule.forRoot({}), ActorModule.forRoot({ port: 1 })],
      }).compile();
      modules.push(moduleRef);
      await moduleRef.init();
      expect(warn.messages()).toEqual([
        expect.stringContaining(
          'ActorModule.forRoot()/forRootAsync() is imported 2 times',
        ),
      ]);
    } finally {
      warn.restore();
    }
  });

  it('quotes a bad LIBPROCESS_PORT as written', async () => {
    process.env.LIBPROCESS_PORT = 'abc';
    const { app } = await microservice([
      ActorModule.forRoot({ ip: '127.0.0.1' }),
    ]);
    apps.push(app);
    await expect(app.listen()).rejects.toThrow(
      'Cannot listen on port "abc" (LIBPROCESS_PORT): expected an integer 0-65535',
    );
  });

  it('terminate(p, { drain: true }) runs what is queued, then removes the process', async () => {
    const node = await startNode({ providers: [Slow, Watcher] });
    nodes.push(node);
    const slow = node.get(Slow);
    const watcher = node.get(Watcher);
    node.actors.link(node.pid('slow'), { from: watcher });
    const exit = watcher.nextExit();
    for (let i = 0; i < 3; i++) {
      node.actors.send(node.pid('slow'), 'n', String(i), { from: watcher });
    }
    const terminated = node.actors.terminate(slow, { drain: true });
    node.actors.send(node.pid('slow'), 'n', 'after', { from: watcher });
    await terminated;
    await exit;
    expect(slow.handled).toEqual(['0', '1', '2']);
    expect(watcher.exited).toEqual(['slow']);
  });

  it('terminate(p) without drain drops what is queued', async () => {
    const node = await startNode({ providers: [Slow] });
    nodes.push(node);
    const slow = node.get(Slow);
    for (let i = 0; i < 3; i++) {
      node.actors.send(node.pid('slow'), 'n', String(i), {
        from: node.pid('slow'),
      });
    }
    await node.actors.terminate(slow);
    // The queue was dropped before its first turn: a later turn runs nothing.
    await new Promise((resolve) => setImmediate(resolve));
    expect(slow.handled).toEqual([]);
  });

  it('askProto() decodes the reply; sendProto() and askProto() take another message name', async () => {
    const node = await startNode(
      { providers: [ProtoEcho] },
      { protobuf: { files: [PROTO] } },
    );
    nodes.push(node);
    const reply = await node.actors.askProto<{ value: string }>(
      node.pid('echo'),
      'test.actor.Ping',
      { value: 'one' },
      { reply: 'test.actor.Pong', timeoutMs: 5000 },
    );
    expect(reply.message).toEqual({ value: 'pong one' });
    expect(reply.from.id).toBe('echo');
    const renamed = await node.actors.askProto<{ value: string }>(
      node.pid('echo'),
      'test.actor.Ping',
      { value: 'two' },
      { reply: 'test.actor.Pong', name: 'renamed', timeoutMs: 5000 },
    );
    expect(renamed.message).toEqual({ value: 'renamed two' });
  });
});
