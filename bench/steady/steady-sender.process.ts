import { Payload } from '@nestjs/microservices';

import {
  ActorRef,
  Mailbox,
  Process,
  ProtobufMailbox,
  type Upid,
} from '../../lib/index.js';
import {
  NAME_SCHEMES,
  type NameScheme,
  type ValueMessage,
} from '../../peer/name-schemes.js';
import { type PreparedSend, schemeSender } from '../../peer/scheme-sender.js';

/** What a steady run measured, as the peers' `send` reports it. */
export interface SteadyOutcome {
  serverCount: number;
  seconds: number;
}

/** How the sender keeps the pipe full without outrunning the library's per-peer queue. */
export interface SteadyWindow {
  /** `count` messages per window; each window ends with a `ping`. */
  size: number;
  /** Windows sent and not yet acknowledged by their `pong`. */
  inFlight: number;
}

/**
 * The TS client of `npm run bench -- --steady`: N `count` messages then a `report`, like the
 * peers' `send`, but paced as a long-running sender must be. The library bounds what it queues
 * per peer (`maxQueuedBytesPerPeer`, 32 MiB) and drops beyond it, so a node that sends for
 * ever cannot fire a million messages in one synchronous loop as the C++ peer does (C++
 * libprocess queues without bound). Instead each window of `count` messages is followed by
 * a `ping`, and the next window leaves when the `pong` of an earlier one is back: the echo
 * server handles messages of one connection in order, so a `pong` acknowledges its window.
 * With a few windows in flight the pipe never runs dry.
 */
@Process('sender')
export class SteadySenderProcess {
  private remaining = 0;
  private windowSize = 0;
  private sendCount: PreparedSend = () => undefined;
  private sendPing: PreparedSend = () => undefined;
  private sendReport: PreparedSend = () => undefined;
  private startedAt = 0;
  private finish?: (outcome: SteadyOutcome) => void;

  constructor(private readonly actors: ActorRef) {}

  run(
    to: Upid,
    n: number,
    size: number,
    names: NameScheme,
    window: SteadyWindow,
  ): Promise<SteadyOutcome> {
    const prepare = schemeSender(this.actors, this, to, names);
    this.sendCount = prepare('count', 'x'.repeat(size));
    this.sendPing = prepare('ping');
    this.sendReport = prepare('report');
    this.remaining = n;
    this.windowSize = Math.max(1, window.size);
    const done = new Promise<SteadyOutcome>(
      (resolve) => (this.finish = resolve),
    );
    this.startedAt = performance.now();
    for (let i = 0; i < Math.max(1, window.inFlight); i++) this.sendWindow();
    return done;
  }

  @Mailbox(NAME_SCHEMES.plain.pong)
  pong(): void {
    this.sendWindow();
  }

  @ProtobufMailbox(NAME_SCHEMES.mesosgo.pong)
  pongProto(): void {
    this.sendWindow();
  }

  @Mailbox(NAME_SCHEMES.plain.report_reply)
  reportReply(@Payload() body: Buffer): void {
    this.done(Number(body.toString('latin1')));
  }

  @ProtobufMailbox(NAME_SCHEMES.mesosgo.report_reply)
  reportReplyProto(@Payload() message: ValueMessage): void {
    this.done(Number(message.value));
  }

  /** The next window and its `ping`; after the last one, the `report`. */
  private sendWindow(): void {
    if (this.remaining === 0) return;
    const count = Math.min(this.windowSize, this.remaining);
    for (let i = 0; i < count; i++) this.sendCount();
    this.remaining -= count;
    if (this.remaining > 0) this.sendPing();
    else this.sendReport();
  }

  private done(serverCount: number): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.finish?.({ serverCount, seconds });
    this.finish = undefined;
  }
}
