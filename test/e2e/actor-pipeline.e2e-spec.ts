import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type ArgumentsHost,
  type CallHandler,
  Catch,
  type ExceptionFilter,
  UseFilters,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  type PipeTransform,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { delay, type Observable, tap } from 'rxjs';

import { Test } from '@nestjs/testing';

import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  LIBPROCESS_TRANSPORT,
  LibprocessServer,
  Mailbox,
  Process,
  Upid,
} from '../../lib/index.js';
import { spyOnLogger } from '../support/logger-spy.js';
import { waitFor } from '../support/wait-for.js';
import { startNode, type TestNode } from './support/start-node.js';

const trace: string[] = [];

@Injectable()
class SenderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const ctx = context.switchToRpc().getContext<LibprocessContext>();
    trace.push(`guard:${context.getType()}:${ctx.name}`);
    return ctx.from.id !== 'blocked';
  }
}

@Injectable()
class TraceInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToRpc().getData<Buffer>().toString();
    trace.push(`before:${body}`);
    // Asynchronous work after the handler: the next message must wait for it.
    return next.handle().pipe(
      delay(10),
      tap(() => trace.push(`after:${body}`)),
    );
  }
}

@Injectable()
class UpperCasePipe implements PipeTransform<Buffer, string> {
  transform(value: Buffer): string {
    return value.toString().toUpperCase();
  }
}

@Process('guarded')
@Injectable()
class Guarded {
  @UseGuards(SenderGuard)
  @UseInterceptors(TraceInterceptor)
  @Mailbox('shout')
  shout(
    @Payload(UpperCasePipe) text: string,
    @Ctx() ctx: LibprocessContext,
  ): void {
    trace.push(`handler:${text}:${ctx.from.id}`);
  }
}

@Catch()
class RecordingFilter implements ExceptionFilter {
  catch(error: Error, host: ArgumentsHost): string {
    trace.push(`filter:${host.getType()}:${error.message}`);
    return 'handled';
  }
}

@Process('failing')
@Injectable()
@UseInterceptors(TraceInterceptor)
class Failing {
  @UseFilters(RecordingFilter)
  @Mailbox('filtered')
  filtered(): void {
    throw new Error('caught by the filter');
  }

  @Mailbox('unfiltered')
  unfiltered(): void {
    throw new Error('nobody catches this');
  }
}

@Process('sender')
@Injectable()
class Sender {}

@Controller()
class LegacyEvents {
  readonly received: string[] = [];
  constructor(private readonly actors: ActorRef) {}

  @EventPattern<string>('legacy/hello', LIBPROCESS_TRANSPORT)
  hello(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.received.push(`${body}:${ctx.to}`);
    this.actors.send(ctx.from, 'hello-back', body, { from: ctx.to });
  }
}

@Process('listener')
@Injectable()
class Listener {
  readonly got: string[] = [];
  @Mailbox('hello-back')
  back(@Payload() body: Buffer): void {
    this.got.push(body.toString());
  }
}

describe('ActorModule through the Nest pipeline', () => {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    trace.length = 0;
    await Promise.all(nodes.splice(0).map((node) => node.app.close()));
  });

  it('applies guards, interceptors and pipes to a mailbox, one message at a time', async () => {
    const server = await startNode({
      providers: [Guarded, SenderGuard, TraceInterceptor, UpperCasePipe],
    });
    const client = await startNode({ providers: [Sender] });
    nodes.push(server, client);
    const from = { from: client.get(Sender) };
    const to = server.pid('guarded');
    const warnings = spyOnLogger('warn');
    const errors = spyOnLogger('error');
    try {
      client.actors.send(to, 'shout', 'one', from);
      client.actors.send(to, 'shout', 'two', from);
      client.actors.send(to, 'shout', 'blocked', {
        from: new Upid('blocked', '127.0.0.1', client.pid('x').port),
      });
      client.actors.send(to, 'shout', 'three', from);
      await waitFor(() => trace.includes('after:three'), 5000, 'three handled');
      // A guard's denial is expected: one warning line, no error with a stack.
      expect(warnings.messages()).toEqual([
        expect.stringMatching(
          /^Process "guarded@.*" failed in mailbox "shout" \(message from "blocked@.*"\): Forbidden resource$/,
        ),
      ]);
      expect(errors.count).toBe(0);
    } finally {
      warnings.restore();
      errors.restore();
    }
    expect(trace).toEqual([
      'guard:rpc:shout',
      'before:one',
      'handler:ONE:sender',
      'after:one',
      'guard:rpc:shout',
      'before:two',
      'handler:TWO:sender',
      'after:two',
      'guard:rpc:shout',
      'guard:rpc:shout',
      'before:three',
      'handler:THREE:sender',
      'after:three',
    ]);
  });

  it('applies exception filters, and logs unfiltered failures once with the process', async () => {
    const errors = spyOnLogger('error');
    try {
      const node = await startNode({
        providers: [Failing, Sender, TraceInterceptor, RecordingFilter],
      });
      nodes.push(node);
      const from = { from: node.get(Sender) };
      node.actors.send(node.pid('failing'), 'filtered', 'f', from);
      node.actors.send(node.pid('failing'), 'unfiltered', 'u', from);
      await waitFor(() => errors.count > 0, 5000, 'the error log');
      expect(trace).toEqual([
        'before:f',
        'filter:rpc:caught by the filter',
        'before:u',
      ]);
      expect(errors.messages()).toEqual([
        expect.stringMatching(
          /^Process "failing@.*" failed in mailbox "unfiltered" \(message from "sender@.*"\): nobody catches this$/,
        ),
      ]);
    } finally {
      errors.restore();
    }
  });

  it('runs the processing (tracing) hooks around each handler', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0 })],
      providers: [Listener],
    }).compile();
    const server = moduleRef.get(LibprocessServer);
    const spans: string[] = [];
    server.setOnProcessingStartHook((transportId, context, done) => {
      const ctx = context as LibprocessContext;
      spans.push(`start:${ctx.name}:${transportId === LIBPROCESS_TRANSPORT}`);
      return done();
    });
    server.setOnProcessingEndHook((_transportId, context) => {
      spans.push(`end:${(context as LibprocessContext).name}`);
    });
    const app = moduleRef.createNestMicroservice({
      strategy: server,
      logger: ['error'],
    });
    await app.listen();
    try {
      const listener = app.get(Listener);
      app
        .get(ActorRef)
        .send(app.get(ActorRef).self(listener), 'hello-back', 'x', {
          from: listener,
        });
      await waitFor(() => spans.length === 2, 5000, 'the end hook');
      expect(spans).toEqual(['start:hello-back:true', 'end:hello-back']);
      expect(listener.got).toEqual(['x']);
    } finally {
      await app.close();
    }
  });

  it('serves controller @EventPattern("<id>/<name>") handlers as a process', async () => {
    const server = await startNode({ controllers: [LegacyEvents] });
    const client = await startNode({ providers: [Listener] });
    nodes.push(server, client);
    const listener = client.get(Listener);
    client.actors.send(server.pid('legacy'), 'hello', 'hi', { from: listener });
    await waitFor(() => listener.got.length === 1, 5000, 'hello-back');
    expect(server.get(LegacyEvents).received).toEqual([
      `hi:${server.pid('legacy')}`,
    ]);
  });
});
