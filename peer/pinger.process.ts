import {
  ActorRef,
  Mailbox,
  Process,
  ProtobufMailbox,
  type Upid,
} from '../lib/index.js';
import { NAME_SCHEMES, type NameScheme } from './name-schemes.js';
import { type PreparedSend, schemeSender } from './scheme-sender.js';

/**
 * The client of `pingpong`: `warmup` unmeasured round trips, then `n` measured ones, each
 * `ping` sent when the previous `pong` arrived.
 */
@Process('pinger')
export class PingerProcess {
  /** Round trips completed so far (warm-up included); printed on a timeout. */
  completed = 0;
  private total = 0;
  private warmup = 0;
  private sentAt = 0;
  private latenciesUs: number[] = [];
  private sendPing: PreparedSend = () => undefined;
  private finish?: (latenciesUs: number[]) => void;

  constructor(private readonly actors: ActorRef) {}

  /** Resolves with the `n` measured round-trip times in microseconds. */
  run(
    to: Upid,
    n: number,
    warmup: number,
    size: number,
    names: NameScheme,
  ): Promise<number[]> {
    this.sendPing = schemeSender(
      this.actors,
      this,
      to,
      names,
    )('ping', 'p'.repeat(size));
    this.total = warmup + n;
    this.warmup = warmup;
    this.latenciesUs = [];
    this.completed = 0;
    const done = new Promise<number[]>((resolve) => (this.finish = resolve));
    this.sentAt = performance.now();
    this.sendPing();
    return done;
  }

  @Mailbox(NAME_SCHEMES.plain.pong)
  pong(): void {
    this.onPong();
  }

  @ProtobufMailbox(NAME_SCHEMES.mesosgo.pong)
  pongProto(): void {
    this.onPong();
  }

  private onPong(): void {
    const now = performance.now();
    if (this.completed >= this.warmup)
      this.latenciesUs.push((now - this.sentAt) * 1000);
    this.completed++;
    if (this.completed >= this.total) {
      this.finish?.(this.latenciesUs);
      this.finish = undefined;
      return;
    }
    this.sentAt = performance.now();
    this.sendPing();
  }
}
