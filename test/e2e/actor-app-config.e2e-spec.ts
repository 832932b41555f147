import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type INestMicroservice,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';

import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  LibprocessServer,
  Mailbox,
  Process,
} from '../../lib/index.js';

/** What the enhancers saw: `<enhancer> <context type> <class>.<method>`. */
const seen: string[] = [];

function describeCall(kind: string, context: ExecutionContext): string {
  return `${kind} ${context.getType()} ${context.getClass().name}.${context.getHandler().name}`;
}

class RecordingInterceptor implements NestInterceptor {
  constructor(private readonly name: string) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    seen.push(describeCall(`${this.name} interceptor`, context));
    return next.handle();
  }
}

@Injectable()
class RecordingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    seen.push(describeCall('APP_GUARD', context));
    return true;
  }
}

@Process('echo')
@Injectable()
class Echo {
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.send(ctx.from, 'pong', body);
  }
}

@Module({
  imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0 })],
  providers: [Echo, { provide: APP_GUARD, useClass: RecordingGuard }],
})
class AppModule {}

const strategy = {
  inject: [LibprocessServer],
  useFactory: (server: LibprocessServer) => ({ strategy: server }),
};

async function ping(app: INestApplication | INestMicroservice): Promise<void> {
  const { port } = app.get(LibprocessServer).unwrap().address;
  const reply = await app
    .get(ActorRef)
    .ask(`echo@127.0.0.1:${port}`, 'ping', 'hello', { reply: 'pong' });
  expect(reply.body.toString()).toBe('hello');
}

/**
 * Nest's rule for a microservice's handlers, applied to mailboxes: the globals of
 * `createMicroservice()` itself; in a hybrid app the application's only with
 * `inheritAppConfig: true`.
 */
describe('global enhancers on mailboxes (inheritAppConfig)', () => {
  let app: INestApplication | INestMicroservice | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    seen.length = 0;
  });

  async function hybrid(inheritAppConfig: boolean): Promise<INestApplication> {
    const http = await NestFactory.create(AppModule, { logger: ['error'] });
    app = http;
    http.useGlobalInterceptors(new RecordingInterceptor('app'));
    http.connectMicroservice(strategy, { inheritAppConfig });
    await http.startAllMicroservices();
    await http.init();
    return http;
  }

  it('does not apply the application globals (useGlobal*, APP_*) with inheritAppConfig: false', async () => {
    const http = await hybrid(false);
    await ping(http);
    expect(seen).toEqual([]);
  });

  it('applies them with inheritAppConfig: true', async () => {
    const http = await hybrid(true);
    await ping(http);
    expect(seen).toEqual([
      'APP_GUARD rpc Echo.ping',
      'app interceptor rpc Echo.ping',
    ]);
  });

  it("applies createMicroservice()'s own globals", async () => {
    const micro = await NestFactory.createMicroservice(AppModule, {
      ...strategy,
      logger: ['error'],
    });
    app = micro;
    micro.useGlobalInterceptors(new RecordingInterceptor('microservice'));
    await micro.listen();
    await ping(micro);
    expect(seen).toEqual([
      'APP_GUARD rpc Echo.ping',
      'microservice interceptor rpc Echo.ping',
    ]);
  });

  it('applies the globals of a connected microservice itself, not the application', async () => {
    const http = await NestFactory.create(AppModule, { logger: ['error'] });
    app = http;
    http.useGlobalInterceptors(new RecordingInterceptor('app'));
    const micro = http.connectMicroservice(strategy, {
      inheritAppConfig: false,
    });
    // Nest warns that its own handlers (registered already) miss it; mailboxes are bound at
    // app.init(), after it.
    micro.useGlobalInterceptors(new RecordingInterceptor('microservice'));
    await http.startAllMicroservices();
    await http.init();
    await ping(http);
    expect(seen).toEqual(['microservice interceptor rpc Echo.ping']);
  });
});
