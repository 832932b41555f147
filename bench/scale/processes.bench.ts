/**
 * Many local processes: spawn 100,000 `@Mailbox()` processes at runtime (`ActorRef.spawn`),
 * report the node's RSS, and the cost of one local message when the node hosts 1, 1,000 and
 * 100,000 processes: `per-message` sends every burst to one process (the others idle: hosting
 * them must not slow messaging down, so this must stay flat), `round-robin` spreads each burst
 * over every process (each message then also wakes a cold process).
 */
import { Ctx, Payload } from '@nestjs/microservices';

import {
  LibprocessContext,
  Mailbox,
  Process,
  type Upid,
} from '../../lib/index.js';
import { Countdown, startBenchNode } from '../support/bench-node.js';
import { cpuMs, QUICK, repeatMeasure, rssMb } from '../support/bench-runner.js';
import { report } from '../support/in-process-result.js';

// Always the full 100,000 (the RSS target is about that many); --quick only shortens the runs.
const TOTAL = 100_000;
const STEPS = [1, 1000, TOTAL];
const BURST = 100_000;
const MIN_MS = QUICK ? 200 : 500;

/** Every message to any worker counts down the same shared counter. */
const received = new Countdown();

class Worker {
  handled = 0;

  @Mailbox('count')
  count(@Payload() _body: Buffer, @Ctx() _ctx: LibprocessContext): void {
    this.handled++;
    received.count();
  }
}

@Process('source')
class SourceProcess {}

const node = await startBenchNode([SourceProcess]);
try {
  const from = node.actors.self(node.app.get(SourceProcess));
  const body = Buffer.alloc(100, 'x');
  const rssEmpty = rssMb();

  /** CPU ns per message over bursts of {@link BURST} sends to `target()`. */
  const measurePerMessage = (name: string, target: () => Upid) =>
    repeatMeasure(name, 'ns/msg', async () => {
      let messages = 0;
      const start = cpuMs();
      do {
        const done = received.arm(BURST);
        for (let i = 0; i < BURST; i++)
          node.actors.send(target(), 'count', body, { from });
        await done;
        messages += BURST;
      } while (cpuMs() - start < MIN_MS);
      return ((cpuMs() - start) * 1e6) / messages;
    });
  const pids: Upid[] = [];
  let spawnMs = 0;
  for (const step of STEPS) {
    const start = cpuMs();
    while (pids.length < step) pids.push(node.actors.spawn(new Worker()));
    spawnMs += cpuMs() - start;
    if (step === TOTAL) {
      const rss = rssMb();
      report({
        name: 'scale.spawn.rss',
        value: rss,
        unit: 'MB',
        processes: TOTAL,
        rss_empty_mb: rssEmpty,
      });
      report({
        name: 'scale.spawn.bytes-per-process',
        value: ((rss - rssEmpty) * 1024 * 1024) / TOTAL,
        unit: 'B',
      });
      report({
        name: 'scale.spawn.time',
        value: (spawnMs * 1000) / TOTAL,
        unit: 'us/process',
      });
    }
    await measurePerMessage(
      `scale.per-message.${step}-processes`,
      () => pids[0],
    );
    let next = 0;
    await measurePerMessage(`scale.round-robin.${step}-processes`, () => {
      if (++next >= pids.length) next = 0;
      return pids[next];
    });
  }
} finally {
  await node.close();
}
