/**
 * Local messaging: `ActorRef.send()` from one process to a `@Mailbox()` handler of another
 * process on the same node (no sockets: local sends short-circuit), in bursts of 10,000.
 */
import { Ctx, Payload } from '@nestjs/microservices';

import { LibprocessContext, Mailbox, Process } from '../../lib/index.js';
import { startBenchNode, Countdown } from '../support/bench-node.js';
import { cpuMs, QUICK, repeatMeasure } from '../support/bench-runner.js';

const BURST = 10_000;
const MIN_MS = QUICK ? 200 : 600;

@Process('sink')
class SinkProcess {
  readonly received = new Countdown();

  @Mailbox('count')
  count(@Payload() _body: Buffer, @Ctx() _ctx: LibprocessContext): void {
    this.received.count();
  }
}

@Process('source')
class SourceProcess {}

const node = await startBenchNode([SinkProcess, SourceProcess]);
try {
  const sink = node.app.get(SinkProcess);
  const to = node.actors.self(sink);
  const from = node.actors.self(node.app.get(SourceProcess));
  const body = Buffer.alloc(100, 'x');
  await repeatMeasure('micro.local-send', 'msgs/s', async () => {
    let messages = 0;
    const start = cpuMs();
    do {
      const done = sink.received.arm(BURST);
      for (let i = 0; i < BURST; i++)
        node.actors.send(to, 'count', body, { from });
      await done;
      messages += BURST;
    } while (cpuMs() - start < MIN_MS);
    return (messages / (cpuMs() - start)) * 1000;
  });
} finally {
  await node.close();
}
