import { Injectable, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  type LibprocessContext,
  Mailbox,
  OnInitialize,
  Process,
  type Upid,
} from 'nestjs-libprocess';

/** Answers every `ping` with a `pong` that carries the same body. */
@Process('pinger') // its pid: pinger@<ip>:<port>
@Injectable()
export class PingerProcess {
  private readonly logger = new Logger(PingerProcess.name);

  constructor(private readonly actors: ActorRef) {}

  @OnInitialize() // the process is routable: it may send from here on
  started(self: Upid): void {
    this.logger.log(`listening as ${self}`);
  }

  @Mailbox('ping') // POST /pinger/ping from any libprocess node
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.send(ctx.from, 'pong', body); // ctx.from: the sender's Upid
  }
}
