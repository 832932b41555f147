import { Payload } from '@nestjs/microservices';
import {
  ActorRef,
  Mailbox,
  Process,
  ProtobufMailbox,
  type Upid,
} from '../lib/index.js';
import {
  NAME_SCHEMES,
  type NameScheme,
  type ValueMessage,
} from './name-schemes.js';
import { schemeSender } from './scheme-sender.js';

/** What a `send` run measured. */
export interface SendOutcome {
  /** The count the server reported. */
  serverCount: number;
  /** Seconds from the first send to the arrival of `report_reply`. */
  seconds: number;
}

/**
 * The client of `send`: N `count` messages then one `report`, finished by `report_reply`.
 * The burst goes through `ActorRef.send()` (`sendProto()` for the mesos-go names), the
 * library's fast path (see `schemeSender`).
 */
@Process('sender')
export class SenderProcess {
  private startedAt = 0;
  private finish?: (outcome: SendOutcome) => void;

  constructor(private readonly actors: ActorRef) {}

  run(
    to: Upid,
    n: number,
    size: number,
    names: NameScheme,
  ): Promise<SendOutcome> {
    const prepare = schemeSender(this.actors, this, to, names);
    const sendCount = prepare('count', 'x'.repeat(size));
    const sendReport = prepare('report');
    const done = new Promise<SendOutcome>((resolve) => (this.finish = resolve));
    this.startedAt = performance.now();
    for (let i = 0; i < n; i++) sendCount();
    sendReport();
    return done;
  }

  @Mailbox(NAME_SCHEMES.plain.report_reply)
  reportReply(@Payload() body: Buffer): void {
    this.done(Number(body.toString('latin1')));
  }

  @ProtobufMailbox(NAME_SCHEMES.mesosgo.report_reply)
  reportReplyProto(@Payload() message: ValueMessage): void {
    this.done(Number(message.value));
  }

  private done(serverCount: number): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.finish?.({ serverCount, seconds });
    this.finish = undefined;
  }
}
