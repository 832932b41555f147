import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import {
  ActorRef,
  type DelayHandle,
  LibprocessContext,
  LIBPROCESS_TRANSPORT,
  Mailbox,
  OnInitialize,
  Process,
  Upid,
} from '../../lib/index.js';
import { startNode, type TestNode } from './support/start-node.js';

/** Resolves the n-th time `arrived()` is called. */
class Arrivals {
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  readonly lines: string[] = [];

  arrived(line: string): void {
    this.lines.push(line);
    for (const waiter of this.waiters) {
      if (this.lines.length >= waiter.count) waiter.resolve();
    }
  }

  count(count: number): Promise<void> {
    if (this.lines.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

@Process('listener')
@Injectable()
class Listener {
  readonly arrivals = new Arrivals();

  @Mailbox('reply')
  reply(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.arrivals.arrived(`${body} from ${ctx.from.id}`);
  }
}

@Process('worker')
@Injectable()
class Worker {
  ticks = 0;
  ticker: DelayHandle | undefined;
  constructor(
    private readonly actors: ActorRef,
    private readonly listener: Listener,
  ) {}

  /** Sends after awaits, without `from`: the process stays the sender. */
  @Mailbox('work')
  async work(@Payload() body: Buffer): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.resolve();
    this.actors.send(this.actors.self(this.listener), 'reply', `after ${body}`);
  }

  @OnInitialize()
  init(): void {
    // Calls with `this` type-check inside the class (and are checked).
    this.actors.delay(1, this, 'add', 1);
    void this.actors.dispatch(this, 'add', 2);
  }

  /** Never called: what must not type-check (the test is `tsc --noEmit`). */
  protected typeErrors(): void {
    // @ts-expect-error -- 'add' takes a number
    void this.actors.dispatch(this, 'add', 'two');
    // @ts-expect-error -- no such method
    this.actors.delay(1, this, 'nothing');
    // @ts-expect-error -- 'tick' takes a string
    this.actors.periodic(1, this, 'tick', 1);
  }

  add(n: number): number {
    return n;
  }

  startTicking(): void {
    this.ticker = this.actors.periodic(2, this, 'tick', 'x');
  }

  tick(label: string): void {
    this.ticks++;
    // Runs on the process' queue: the process is the sender.
    this.actors.send(
      this.actors.self(this.listener),
      'reply',
      `tick ${this.ticks} ${label}`,
    );
    if (this.ticks === 3) this.ticker?.cancel();
  }
}

@Controller()
class PatternController {
  constructor(
    private readonly actors: ActorRef,
    private readonly listener: Listener,
  ) {}

  @EventPattern<string>('patterns/hello', LIBPROCESS_TRANSPORT)
  hello(@Payload() body: Buffer): void {
    // As the README says: the controller is the process, `{ from: this }` names it.
    this.actors.send(this.actors.self(this.listener), 'reply', `hi ${body}`, {
      from: this,
    });
  }
}

describe('The sender of a process', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  async function start(): Promise<TestNode> {
    const node = await startNode({
      providers: [Listener, Worker],
      controllers: [PatternController],
    });
    nodes.push(node);
    return node;
  }

  it('is known after an await in an async handler', async () => {
    const node = await start();
    const listener = node.get(Listener);
    node.actors.send(node.pid('worker'), 'work', 'one', {
      from: node.pid('listener'),
    });
    await listener.arrivals.count(1);
    expect(listener.arrivals.lines).toEqual(['after one from worker']);
  });

  it('is the @EventPattern controller with { from: this }', async () => {
    const node = await start();
    const listener = node.get(Listener);
    node.actors.send(node.pid('patterns'), 'hello', 'there', {
      from: node.pid('listener'),
    });
    await listener.arrivals.count(1);
    expect(listener.arrivals.lines).toEqual(['hi there from patterns']);
    expect(node.actors.self(node.get(PatternController))).toEqual(
      node.pid('patterns'),
    );
  });

  it('is the process in periodic calls, which stop when cancelled', async () => {
    const node = await start();
    const worker = node.get(Worker);
    const listener = node.get(Listener);
    worker.startTicking();
    await listener.arrivals.count(3);
    expect(listener.arrivals.lines).toEqual([
      'tick 1 x from worker',
      'tick 2 x from worker',
      'tick 3 x from worker',
    ]);
    expect(worker.ticker?.pending).toBe(false);
    // A fourth tick would have been sent by now if cancel() had not stopped it: prove
    // the queue is idle after a dispatch that runs behind any pending tick.
    await node.actors.dispatch(worker, 'add', 0);
    expect(worker.ticks).toBe(3);
  });

  it('is required outside any process', async () => {
    const node = await start();
    expect(() =>
      node.actors.send(new Upid('x', '127.0.0.1', 1), 'm', ''),
    ).toThrow(/No sender/);
  });
});
