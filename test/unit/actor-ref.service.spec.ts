import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';

import {
  ActorModule,
  ActorRef,
  LibprocessServer,
  NotListeningError,
  OnInitialize,
  Process,
  ProcessNotFoundError,
  SenderRequiredError,
  Upid,
} from '../../lib/index.js';

@Process('counter')
@Injectable()
class Counter {
  readonly calls: string[] = [];
  constructor(private readonly actors: ActorRef) {}

  @OnInitialize()
  init(): void {
    this.calls.push('init');
  }

  add(label: string): number {
    this.calls.push(label);
    return this.calls.length;
  }

  /** Sends without `from` inside and after an await. */
  async sendFromHandler(to: Upid): Promise<string[]> {
    const outcomes: string[] = [];
    this.actors.send(to, 'sync-part', '');
    outcomes.push('sync ok');
    await Promise.resolve();
    try {
      this.actors.send(to, 'after-await', '');
      outcomes.push('after await ok');
    } catch (error) {
      outcomes.push((error as Error).name);
    }
    return outcomes;
  }
}

function listen(server: LibprocessServer): Promise<void> {
  return new Promise((resolve, reject) =>
    server.listen((error?: unknown) => (error ? reject(error) : resolve())),
  );
}

describe('ActorRef', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.get(LibprocessServer).close();
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function create(): Promise<{ actors: ActorRef; counter: Counter }> {
    moduleRef = await Test.createTestingModule({
      imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0 })],
      providers: [Counter],
    }).compile();
    await moduleRef.init();
    return { actors: moduleRef.get(ActorRef), counter: moduleRef.get(Counter) };
  }

  it('needs a listening server for pids, sends and spawns', async () => {
    const { actors, counter } = await create();
    expect(() => actors.self(counter)).toThrow(NotListeningError);
    expect(() =>
      actors.send('x@127.0.0.1:1', 'm', '', { from: counter }),
    ).toThrow(NotListeningError);
    expect(() => actors.spawn(new Counter(actors))).toThrow(
      /Cannot spawn\(\) before the libprocess server listens/,
    );
  });

  it('queues a dispatch made before listen() behind @OnInitialize', async () => {
    const { actors, counter } = await create();
    const result = actors.dispatch(counter, 'add', 'early');
    await listen(moduleRef!.get(LibprocessServer));
    await expect(result).resolves.toBe(2);
    expect(counter.calls).toEqual(['init', 'early']);
  });

  it('infers the sender only in the synchronous part of a handler', async () => {
    const { actors, counter } = await create();
    await listen(moduleRef!.get(LibprocessServer));
    const self = actors.self(counter);
    expect(() => actors.send(self, 'outside', '')).toThrow(SenderRequiredError);
    await expect(
      actors.dispatch(counter, 'sendFromHandler', self),
    ).resolves.toEqual(['sync ok', 'after await ok']);
  });

  it('resolves processes by instance, pid and bare id, and rejects others', async () => {
    const { actors, counter } = await create();
    await listen(moduleRef!.get(LibprocessServer));
    const self = actors.self(counter);
    await expect(actors.dispatch(self, 'add', 'by pid')).resolves.toBe(2);
    await expect(actors.dispatch('counter', 'add', 'by id')).resolves.toBe(3);
    await expect(
      actors.dispatch(String(self), 'add', 'by string'),
    ).resolves.toBe(4);
    await expect(actors.dispatch('nobody', 'add', 'x')).rejects.toBeInstanceOf(
      ProcessNotFoundError,
    );
    await expect(
      actors.dispatch(new Upid('counter', '10.0.0.1', 1), 'add', 'remote'),
    ).rejects.toThrow('No process "counter@10.0.0.1:1" on this node.');
    await expect(
      actors.dispatch(counter, 'missing' as 'add', 'x'),
    ).rejects.toThrow(/has no method "missing"/);
    expect(() => actors.self({})).toThrow(
      'An instance of Object is not a libprocess process of this node',
    );
  });
});
