import { afterEach, describe, expect, it } from '@jest/globals';
import {
  Controller,
  Get,
  type INestApplication,
  type INestMicroservice,
  Inject,
  Injectable,
  Module,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  type ClientProxy,
  ClientsModule,
  Ctx,
  Payload,
} from '@nestjs/microservices';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';

import {
  ActorModule,
  ActorRef,
  LibprocessClient,
  LibprocessContext,
  LibprocessHealthIndicator,
  LibprocessServer,
  Mailbox,
  Process,
  RequestResponseUnsupportedError,
  Route,
  RouteResponse,
  type WireRequest,
} from '../../lib/index.js';
import { waitFor } from '../support/wait-for.js';

@Process('echo')
@Injectable()
class Echo {
  readonly got: string[] = [];
  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.got.push(body.toString());
    this.actors.send(ctx.from, 'pong', body);
  }

  @Route('state')
  state(): Record<string, unknown> {
    return { received: this.got.length };
  }

  @Route('/teapot', { methods: ['POST'] })
  teapot(request: WireRequest): RouteResponse {
    return new RouteResponse(418, `short and stout: ${request.body}`, {
      'content-type': 'text/plain',
    });
  }
}

@Controller()
class HttpController {
  constructor(
    private readonly actors: ActorRef,
    private readonly echo: Echo,
    @Inject('ECHO_CLIENT') private readonly client: ClientProxy,
  ) {}

  @Get('ask')
  async ask(): Promise<string> {
    const echo = this.actors.self(this.echo);
    const reply = await this.actors.ask(echo, 'ping', 'from http', {
      reply: 'pong',
      timeoutMs: 5000,
    });
    return reply.body.toString();
  }

  @Get('emit')
  async emit(): Promise<string> {
    await firstValueFrom(
      this.client.emit(`${this.actors.self(this.echo)}/ping`, 'emitted'),
      { defaultValue: undefined },
    );
    return 'ok';
  }
}

@Module({
  imports: [
    ActorModule.forRootAsync({
      useFactory: () => ({ ip: '127.0.0.1', port: 0 }),
    }),
    ClientsModule.registerAsync([
      {
        name: 'ECHO_CLIENT',
        inject: [ActorRef],
        useFactory: (actorRef: ActorRef) => ({
          customClass: LibprocessClient,
          options: { actorRef },
        }),
      },
    ]),
    TerminusModule,
  ],
  controllers: [HttpController],
  providers: [Echo],
})
class AppModule {}

describe('ActorModule bootstrap', () => {
  let app: INestMicroservice | INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('runs standalone from createMicroservice({ inject, useFactory }) with routes and /__processes__', async () => {
    const micro = await NestFactory.createMicroservice(AppModule, {
      inject: [LibprocessServer],
      useFactory: (server: LibprocessServer) => ({ strategy: server }),
      logger: ['error'],
    });
    app = micro;
    await micro.listen();
    const { ip, port } = micro.get(LibprocessServer).unwrap<{
      address: { ip: string; port: number };
    }>().address;
    expect(ip).toBe('127.0.0.1');
    const base = `http://127.0.0.1:${port}`;

    const reply = await micro
      .get(ActorRef)
      .ask(`echo@127.0.0.1:${port}`, 'ping', 'standalone', { reply: 'pong' });
    expect(reply.body.toString()).toBe('standalone');

    await expect((await fetch(`${base}/echo/state`)).json()).resolves.toEqual({
      received: 1,
    });
    const teapot = await fetch(`${base}/echo/teapot`, {
      method: 'POST',
      body: 'tea',
    });
    expect(teapot.status).toBe(418);
    await expect(teapot.text()).resolves.toBe('short and stout: tea');
    expect((await fetch(`${base}/echo/teapot`)).status).toBe(405);
    expect((await fetch(`${base}/echo/nothing`)).status).toBe(404);

    const processes = (await (
      await fetch(`${base}/__processes__`)
    ).json()) as Array<Record<string, unknown>>;
    expect(processes).toEqual([
      {
        id: 'echo',
        pid: `echo@127.0.0.1:${port}`,
        mailboxes: ['ping'],
        routes: ['state', 'teapot'],
        queueDepth: 0,
        state: 'idle',
        links: [],
      },
    ]);

    const health = await micro
      .get(HealthCheckService)
      .check([() => micro.get(LibprocessHealthIndicator).isHealthy()]);
    expect(health.status).toBe('ok');
    expect(health.details.libprocess).toEqual({
      status: 'up',
      address: `127.0.0.1:${port}`,
      processes: 1,
      links: 0,
    });
    await micro.close();
    expect(micro.get(LibprocessHealthIndicator).isHealthy()).toEqual({
      libprocess: { status: 'down', processes: 1, links: 0 },
    });
  });

  it('runs next to an HTTP app (hybrid) and sends through LibprocessClient', async () => {
    const http = await NestFactory.create(AppModule, { logger: ['error'] });
    app = http;
    http.connectMicroservice(
      {
        inject: [LibprocessServer],
        useFactory: (server: LibprocessServer) => ({ strategy: server }),
      },
      { inheritAppConfig: true },
    );
    await http.startAllMicroservices();
    await http.listen(0, '127.0.0.1');
    const url = await http.getUrl();

    const asked = await fetch(`${url.replace('[::1]', '127.0.0.1')}/ask`);
    await expect(asked.text()).resolves.toBe('from http');
    const emitted = await fetch(`${url.replace('[::1]', '127.0.0.1')}/emit`);
    await expect(emitted.text()).resolves.toBe('ok');
    const echo = http.get(Echo);
    await waitFor(() => echo.got.includes('emitted'), 5000, 'the emit');

    const client = http.get<ClientProxy>('ECHO_CLIENT');
    await expect(
      firstValueFrom(client.send('echo/ping', 'x')),
    ).rejects.toBeInstanceOf(RequestResponseUnsupportedError);
  });
});
