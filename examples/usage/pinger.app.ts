import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  LibprocessServer,
  Mailbox,
  OnExited,
  OnInitialize,
  Process,
  ProtobufMailbox,
  Route,
  Upid,
} from 'nestjs-libprocess';

@Process('pinger') // pid: pinger@127.0.0.1:5051
@Injectable()
class Pinger {
  private frameworkId?: string;

  constructor(private readonly actors: ActorRef) {}

  @Mailbox('ping')
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext) {
    this.actors.send(ctx.from, 'pong', body); // ctx.from: Upid of the sender
  }

  @ProtobufMailbox('mesos.internal.FrameworkRegisteredMessage') // name = full type name
  registered(@Payload() msg: { framework_id: { value: string } }) {
    this.frameworkId = msg.framework_id.value;
  }

  @OnExited() exited(pid: Upid) {
    console.log(`${pid} went away`); // a linked process went away
  }

  @OnInitialize() init(self: Upid) {
    console.log(`routable as ${self}`); // libprocess' initialize()
  }

  // GET|POST /pinger/health from the same port
  @Route('health') health() {
    return { ok: true, frameworkId: this.frameworkId };
  }
}

@Module({
  imports: [
    ActorModule.forRoot({
      ip: '127.0.0.1',
      port: 5051,
      protobuf: { files: ['mesos.proto'] },
    }),
  ],
  providers: [Pinger],
})
class AppModule {}

const app = await NestFactory.createMicroservice(AppModule, {
  inject: [LibprocessServer],
  useFactory: (server: LibprocessServer) => ({ strategy: server }),
});
await app.listen();
