import { Injectable } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  type LibprocessContext,
  Mailbox,
  Process,
  type Upid,
} from 'nestjs-libprocess';

/**
 * `remind` with a number of seconds as body: sends `reminder` back that much later.
 * `pending` is answered with the number of reminders not sent yet.
 */
@Process('reminder')
@Injectable()
export class ReminderProcess {
  private pending = 0;

  constructor(private readonly actors: ActorRef) {}

  @Mailbox('remind')
  remind(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.pending++;
    // The delay runs `due` on this process' own queue.
    const ms = Number(body.toString()) * 1000;
    this.actors.delay(ms, this as ReminderProcess, 'due', ctx.from);
  }

  due(requester: Upid): void {
    this.pending--;
    this.actors.send(requester, 'reminder');
  }

  @Mailbox('pending')
  status(@Ctx() ctx: LibprocessContext): void {
    this.actors.send(ctx.from, 'pending', String(this.pending));
  }
}
