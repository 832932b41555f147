import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import {
  LibprocessContext,
  Mailbox,
  Process,
  Route,
  type WireRequest,
} from '../../lib/index.js';
import { startNode, type TestNode } from './support/start-node.js';

@Process('master')
@Injectable()
class Master {
  readonly received: string[] = [];
  private waiter: { count: number; resolve: () => void } | undefined;

  /** Resolves once `count` messages arrived. */
  receivedCount(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }

  private record(line: string): void {
    this.received.push(line);
    if (this.waiter && this.received.length >= this.waiter.count) {
      this.waiter.resolve();
    }
  }

  @Route('state')
  state(request: WireRequest): object {
    return { served: 'master', path: request.path };
  }

  @Mailbox('hello')
  hello(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.record(`hello ${body} from ${ctx.from.id}`);
  }

  @Mailbox('scheduler/hello')
  forwarded(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.record(`scheduler/hello ${body} from ${ctx.from.id}`);
  }
}

@Process('client')
@Injectable()
class Client {}

describe('ActorModule delegate', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  it('serves GET /state and /master/state from the delegate, as libprocess does', async () => {
    const node = await startNode(
      { providers: [Master] },
      { delegate: 'master' },
    );
    nodes.push(node);
    const { port } = node.pid('master');
    const base = `http://127.0.0.1:${port}`;
    await expect((await fetch(`${base}/state`)).json()).resolves.toEqual({
      served: 'master',
      path: '/master/state',
    });
    await expect((await fetch(`${base}/master/state`)).json()).resolves.toEqual(
      { served: 'master', path: '/master/state' },
    );
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const processes = (await (await fetch(`${base}/__processes__`)).json()) as [
      { id: string },
    ];
    expect(processes.map((p) => p.id)).toEqual(['master']);
  });

  it('delivers messages to no process of the node to the delegate as <id>/<name>', async () => {
    const master = await startNode(
      { providers: [Master] },
      { delegate: 'master' },
    );
    const sender = await startNode({ providers: [Client] });
    nodes.push(master, sender);
    const client = sender.get(Client);
    sender.actors.send(master.pid('scheduler'), 'hello', 'one', {
      from: client,
    });
    sender.actors.send(master.pid('master'), 'hello', 'two', {
      from: client,
    });
    await master.get(Master).receivedCount(2);
    expect(master.get(Master).received).toEqual([
      'scheduler/hello one from client',
      'hello two from client',
    ]);
  });
});
