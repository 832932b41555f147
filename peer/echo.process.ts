import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorRef,
  LibprocessContext,
  Mailbox,
  Process,
  ProtobufMailbox,
} from '../lib/index.js';
import {
  NAME_SCHEMES,
  type NameScheme,
  type ValueMessage,
} from './name-schemes.js';

/** One `report` answered: who asked, the count it got, and the scheme it was asked in. */
export interface ReportEvent {
  from: string;
  count: number;
  scheme: NameScheme;
}

const PLAIN = NAME_SCHEMES.plain;
const MESOSGO = NAME_SCHEMES.mesosgo;

/**
 * The `echo` process of `serve`, the same server the reference peers run: `ping` -> `pong`
 * with the same body, `count` counts per sender, `report` -> `report_reply` with that sender's
 * count (then resets it). Both name schemes are installed at once; a reply uses the scheme its
 * request came in, with protobuf `{ value }` bodies for the mesos-go names.
 */
@Process('echo')
export class EchoProcess {
  /** Called for every answered report (`serve --verbose` prints it). */
  onReport?: (event: ReportEvent) => void;
  private readonly counts = new Map<string, number>();

  constructor(private readonly actors: ActorRef) {}

  /** Messages counted per sender pid since that sender's last report. */
  get pendingCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  @Mailbox(PLAIN.ping)
  ping(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.send(ctx.from, PLAIN.pong, body);
  }

  @Mailbox(PLAIN.count)
  count(@Payload() _body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.increment(ctx);
  }

  @Mailbox(PLAIN.report)
  report(@Payload() _body: Buffer, @Ctx() ctx: LibprocessContext): void {
    this.actors.send(
      ctx.from,
      PLAIN.report_reply,
      String(this.takeCount(ctx, 'plain')),
    );
  }

  @ProtobufMailbox(MESOSGO.ping)
  pingProto(
    @Payload() message: ValueMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.actors.sendProto(ctx.from, MESOSGO.pong, { value: message.value });
  }

  @ProtobufMailbox(MESOSGO.count)
  countProto(
    @Payload() _message: ValueMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.increment(ctx);
  }

  @ProtobufMailbox(MESOSGO.report)
  reportProto(
    @Payload() _message: ValueMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    const value = String(this.takeCount(ctx, 'mesosgo'));
    this.actors.sendProto(ctx.from, MESOSGO.report_reply, { value });
  }

  private increment(ctx: LibprocessContext): void {
    const key = ctx.from.toString();
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private takeCount(ctx: LibprocessContext, scheme: NameScheme): number {
    const from = ctx.from.toString();
    const count = this.counts.get(from) ?? 0;
    this.counts.delete(from);
    this.onReport?.({ from, count, scheme });
    return count;
  }
}
