import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type Observable, of, tap, throwError, timer, map } from 'rxjs';

import {
  ActorRef,
  LibprocessContext,
  Mailbox,
  Process,
  type WireNode,
} from '../../lib/index.js';
import { spyOnLogger } from '../support/logger-spy.js';
import { waitFor } from '../support/wait-for.js';
import { startNode, type TestNode } from './support/start-node.js';

/** Larger than any block of a process queue (blocks hold at most 256 entries). */
const BURST = 3000;

/** Records what runs, and fails the test if two handlers of it ever overlap. */
class Journal {
  readonly entries: string[] = [];
  overlaps = 0;
  private running = false;

  enter(entry: string): void {
    if (this.running) this.overlaps++;
    this.running = true;
    this.entries.push(entry);
  }

  leave(entry?: string): void {
    if (entry !== undefined) this.entries.push(entry);
    this.running = false;
  }
}

@Process('recorder')
@Injectable()
class Recorder {
  readonly journal = new Journal();
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('n')
  n(@Payload() body: Buffer): void {
    this.journal.enter(body.toString());
    this.journal.leave();
  }

  /** Waits for a timer, so that messages queue up behind it. */
  @Mailbox('slow')
  async slow(@Payload() body: Buffer): Promise<void> {
    this.journal.enter(`slow:${body}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.journal.leave(`slow-done:${body}`);
  }

  /** Sends to itself while its queue is being drained: goes behind what is queued. */
  @Mailbox('echo')
  echo(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.journal.enter(`echo:${body}`);
    this.actors.send(ctx.to, 'n', `echoed:${body}`);
    this.journal.leave();
  }
}

@Process('streams')
@Injectable()
class Streams {
  readonly journal = new Journal();

  @Mailbox('sync')
  sync(@Payload() body: Buffer): Observable<string> {
    this.journal.enter(`sync:${body}`);
    return of(`${body}`).pipe(
      tap(() => this.journal.leave(`sync-done:${body}`)),
    );
  }

  @Mailbox('async')
  async(@Payload() body: Buffer): Observable<number> {
    this.journal.enter(`async:${body}`);
    return timer(15).pipe(tap(() => this.journal.leave(`async-done:${body}`)));
  }

  @Mailbox('broken')
  broken(@Payload() body: Buffer): Observable<never> {
    this.journal.enter(`broken:${body}`);
    this.journal.leave();
    return throwError(() => new Error(`stream failed: ${body}`));
  }

  /** Called through `dispatch`: resolves with the stream's last value. */
  lastOf(values: number[]): Observable<number> {
    return of(...values);
  }

  later(value: number): Observable<number> {
    return timer(5).pipe(map(() => value));
  }
}

@Injectable()
class SyncInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToRpc().getData<Buffer>().toString();
    if (body === 'refused') {
      return throwError(() => new Error('refused by the interceptor'));
    }
    // Synchronous operators only: the next message may still not start before this ends.
    return next.handle().pipe(tap(() => intercepted.push(`after:${body}`)));
  }
}

const intercepted: string[] = [];

@Process('intercepted')
@Injectable()
class Intercepted {
  @Mailbox('m')
  @UseInterceptors(SyncInterceptor)
  m(@Payload() body: Buffer): Observable<string> {
    intercepted.push(`handler:${body}`);
    return of(`${body}`);
  }
}

/** Handlers with and without `@Ctx()` (the context is only built when one is read). */
@Process('params')
@Injectable()
class Params {
  readonly seen: unknown[][] = [];

  @Mailbox('payload-only')
  payloadOnly(@Payload() body: Buffer, ...rest: unknown[]): void {
    this.seen.push(['payload-only', `${body}`, rest.length]);
  }

  @Mailbox('undecorated')
  undecorated(body: Buffer, ctx: LibprocessContext): void {
    this.seen.push(['undecorated', `${body}`, ctx.name]);
  }

  @Mailbox('context-first')
  contextFirst(@Ctx() ctx: LibprocessContext, @Payload() body: Buffer): void {
    this.seen.push(['context-first', `${body}`, ctx.from.id]);
  }

  @Mailbox('context-only')
  contextOnly(@Ctx() ctx: LibprocessContext): void {
    this.seen.push(['context-only', ctx.getBody().toString(), ctx.to.id]);
  }
}

@Process('source')
@Injectable()
class Source {}

/** Its first message waits until the test opens the gate: everything after it queues up. */
@Process('gated')
@Injectable()
class Gated {
  readonly bodies: string[] = [];
  open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));

  @Mailbox('m')
  async m(@Payload() body: Buffer): Promise<void> {
    this.bodies.push(body.toString());
    if (this.bodies.length === 1) await this.gate;
  }
}

const numbers = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('ActorModule process queues', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    intercepted.length = 0;
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  async function start(...providers: (new (...args: any[]) => object)[]) {
    const node = await startNode({ providers: [...providers, Source] });
    nodes.push(node);
    return node;
  }

  it('stops reading a peer whose messages wait behind a slow handler, and delivers them all in order', async () => {
    const limit = 256 * 1024;
    const node = await startNode(
      { providers: [Gated, Source] },
      { limits: { maxQueuedInboundBytes: limit } },
    );
    const remote = await start();
    nodes.push(node);
    const gated = node.get(Gated);
    const wire = node.server.unwrap<WireNode>();
    const count = 20_000; // 2 MiB of bodies, 5 MiB on the wire
    const body = (i: number) => `${i}`.padStart(100, '.');
    for (let i = 0; i < count; i++) {
      remote.actors.send(node.pid('gated'), 'm', body(i), {
        from: remote.get(Source),
      });
    }
    await waitFor(
      () => wire.inboundStats.notReading === 1,
      10_000,
      'the node to stop reading the peer',
    );
    // The queue holds what the limit allows (plus the read that crossed it), not the burst.
    expect(wire.inboundStats.queuedBytes).toBeLessThan(limit + 256 * 1024);
    expect(gated.bodies).toHaveLength(1);
    gated.open();
    await waitFor(() => gated.bodies.length === count, 20_000, 'every message');
    expect(gated.bodies).toEqual(
      Array.from({ length: count }, (_, i) => body(i)),
    );
    await waitFor(() => wire.inboundStats.notReading === 0);
    expect(wire.inboundStats.queuedBytes).toBe(0);
  });

  it('delivers a burst larger than a queue block in order, locally and over the wire', async () => {
    const node = await start(Recorder);
    const remote = await start();
    const recorder = node.get(Recorder);
    const to = node.pid('recorder');
    for (let i = 0; i < BURST; i++) {
      node.actors.send(to, 'n', `local${i}`, { from: node.get(Source) });
    }
    for (let i = 0; i < BURST; i++) {
      remote.actors.send(to, 'n', `remote${i}`, { from: remote.get(Source) });
    }
    await waitFor(
      () => recorder.journal.entries.length === 2 * BURST,
      10_000,
      'both bursts',
    );
    expect(recorder.journal.entries).toEqual([
      ...numbers('local', BURST),
      ...numbers('remote', BURST),
    ]);
    expect(recorder.journal.overlaps).toBe(0);
  });

  it('queues what arrives while a process waits or drains behind what is queued', async () => {
    const node = await start(Recorder);
    const recorder = node.get(Recorder);
    const to = node.pid('recorder');
    const from = { from: node.get(Source) };
    node.actors.send(to, 'slow', 'a', from);
    node.actors.send(to, 'echo', 'x', from);
    for (let i = 0; i < 300; i++) node.actors.send(to, 'n', `${i}`, from);
    const dispatched = node.actors.dispatch(
      recorder,
      'n',
      Buffer.from('dispatched'),
    );
    node.actors.send(to, 'slow', 'b', from);
    // Arrives while the first slow handler waits.
    setTimeout(() => node.actors.send(to, 'n', 'late', from), 5);
    await dispatched;
    await waitFor(
      () => recorder.journal.entries.includes('echoed:x'),
      5000,
      'the echo',
    );
    expect(recorder.journal.entries).toEqual([
      'slow:a',
      'slow-done:a',
      'echo:x',
      ...numbers('', 300),
      'dispatched',
      'slow:b',
      'slow-done:b',
      'late',
      'echoed:x',
    ]);
    expect(recorder.journal.overlaps).toBe(0);
  });

  it('waits for synchronous and asynchronous streams a handler returns', async () => {
    const node = await start(Streams);
    const streams = node.get(Streams);
    const to = node.pid('streams');
    const from = { from: node.get(Source) };
    node.actors.send(to, 'async', '1', from);
    node.actors.send(to, 'sync', '2', from);
    node.actors.send(to, 'async', '3', from);
    node.actors.send(to, 'sync', '4', from);
    await waitFor(
      () => streams.journal.entries.includes('sync-done:4'),
      5000,
      'the last stream',
    );
    expect(streams.journal.entries).toEqual([
      'async:1',
      'async-done:1',
      'sync:2',
      'sync-done:2',
      'async:3',
      'async-done:3',
      'sync:4',
      'sync-done:4',
    ]);
    expect(streams.journal.overlaps).toBe(0);
    await expect(
      node.actors.dispatch(streams, 'lastOf', [1, 2, 3]),
    ).resolves.toBe(3);
    await expect(node.actors.dispatch(streams, 'later', 7)).resolves.toBe(7);
  });

  it('logs a failed stream with the process, mailbox and sender, and goes on', async () => {
    const errors = spyOnLogger('error');
    try {
      const node = await start(Streams);
      const streams = node.get(Streams);
      const to = node.pid('streams');
      const from = { from: node.get(Source) };
      node.actors.send(to, 'broken', 'b', from);
      node.actors.send(to, 'sync', 'after', from);
      await waitFor(
        () => streams.journal.entries.includes('sync-done:after'),
        5000,
        'the message after the failure',
      );
      expect(errors.messages()).toEqual([
        expect.stringMatching(
          /^Process "streams@.*" failed in mailbox "broken" \(message from "source@.*"\): stream failed: b$/,
        ),
      ]);
    } finally {
      errors.restore();
    }
  });

  it('runs one message at a time behind an interceptor with a synchronous stream', async () => {
    const errors = spyOnLogger('error');
    try {
      const node = await start(Intercepted, SyncInterceptor);
      const to = node.pid('intercepted');
      const from = { from: node.get(Source) };
      for (const body of ['1', '2', 'refused', '3']) {
        node.actors.send(to, 'm', body, from);
      }
      await waitFor(() => intercepted.includes('after:3'), 5000, 'message 3');
      expect(intercepted).toEqual([
        'handler:1',
        'after:1',
        'handler:2',
        'after:2',
        'handler:3',
        'after:3',
      ]);
      expect(errors.messages()).toEqual([
        expect.stringMatching(
          /^Process "intercepted@.*" failed in mailbox "m" \(message from "source@.*"\): refused by the interceptor$/,
        ),
      ]);
    } finally {
      errors.restore();
    }
  });

  it('passes the context to handlers that take one, and only the payload otherwise', async () => {
    const node = await start(Params);
    const params = node.get(Params);
    const to = node.pid('params');
    const from = { from: node.get(Source) };
    for (const name of [
      'payload-only',
      'undecorated',
      'context-first',
      'context-only',
    ]) {
      node.actors.send(to, name, `${name}!`, from);
    }
    await waitFor(() => params.seen.length === 4, 5000, 'four messages');
    expect(params.seen).toEqual([
      ['payload-only', 'payload-only!', 0],
      ['undecorated', 'undecorated!', 'undecorated'],
      ['context-first', 'context-first!', 'source'],
      ['context-only', 'context-only!', 'params'],
    ]);
  });
});
