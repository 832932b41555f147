/**
 * Inbound delivery through the whole stack of one node: pre-framed C++-dialect `count`
 * messages (100 B) written by a bare socket in 64 KiB writes -> parser -> process queue ->
 * Nest handler pipeline (`@Payload()`, `@Ctx()`) -> `@Mailbox()` method; once plain and once
 * with a pass-through interceptor (which turns each call into an awaited Observable).
 * Rate = messages per CPU second of this one process (the bare writer's share is small).
 * `.bytes`: what the node allocates per inbound message once warm (young-generation growth
 * over rounds of 1,000 messages that saw no GC), writer included (a few bytes per message).
 */
import { connect, type Socket } from 'node:net';

import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type NestInterceptor,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import { LibprocessContext, Mailbox, Process, Upid } from '../../lib/index.js';
import { encodeMessage } from '../../lib/wire/index.js';
import { bytesPerMessage } from '../support/allocation-probe.js';
import { Countdown, startBenchNode } from '../support/bench-node.js';
import { cpuMs, QUICK, repeatMeasure } from '../support/bench-runner.js';
import { report } from '../support/in-process-result.js';

const BURST = 20_000;
// Small enough that most rounds fit in the young generation between two scavenges.
const ALLOCATION_BURST = 1000;
const MIN_MS = QUICK ? 200 : 600;
const WRITE_BYTES = 64 * 1024;

@Injectable()
class PassThroughInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler) {
    return next.handle();
  }
}

@Process('plain')
class PlainProcess {
  readonly received = new Countdown();

  @Mailbox('count')
  count(@Payload() _body: Buffer, @Ctx() _ctx: LibprocessContext): void {
    this.received.count();
  }
}

@Process('intercepted')
class InterceptedProcess {
  readonly received = new Countdown();

  @Mailbox('count')
  @UseInterceptors(PassThroughInterceptor)
  count(@Payload() _body: Buffer, @Ctx() _ctx: LibprocessContext): void {
    this.received.count();
  }
}

/** One burst for process `id`, pre-framed and cut into socket-sized writes. */
function frameBurst(to: Upid, from: Upid, burst = BURST): Buffer[] {
  const message = encodeMessage(from, to, 'count', Buffer.alloc(100, 'x'));
  const perWrite = Math.floor(WRITE_BYTES / message.length);
  const write = Buffer.concat(new Array<Buffer>(perWrite).fill(message));
  const writes: Buffer[] = [];
  for (let left = burst; left > 0; left -= perWrite) {
    writes.push(
      left >= perWrite ? write : write.subarray(0, left * message.length),
    );
  }
  return writes;
}

async function writeAll(socket: Socket, writes: Buffer[]): Promise<void> {
  for (const chunk of writes) {
    if (!socket.write(chunk))
      await new Promise((resolve) => socket.once('drain', resolve));
  }
}

const node = await startBenchNode([
  PlainProcess,
  InterceptedProcess,
  PassThroughInterceptor,
]);
const { ip, port } = node.wire.address;
const socket = connect({ host: ip, port, noDelay: true });
await new Promise((resolve) => socket.once('connect', resolve));
// The 202s are not needed; read and drop them, as libprocess senders do.
socket.resume();
try {
  const from = new Upid('writer', '127.0.0.1', socket.localPort ?? 1);
  for (const [name, processClass] of [
    ['micro.pipeline.plain', PlainProcess],
    ['micro.pipeline.interceptor', InterceptedProcess],
  ] as const) {
    const target = node.app.get<{ received: Countdown }>(processClass);
    const writes = frameBurst(node.actors.self(target), from);
    await repeatMeasure(name, 'msgs/s', async () => {
      let messages = 0;
      const start = cpuMs();
      do {
        const done = target.received.arm(BURST);
        await writeAll(socket, writes);
        await done;
        messages += BURST;
      } while (cpuMs() - start < MIN_MS);
      return (messages / (cpuMs() - start)) * 1000;
    });
    const small = frameBurst(node.actors.self(target), from, ALLOCATION_BURST);
    const bytes = await bytesPerMessage(ALLOCATION_BURST, async () => {
      const done = target.received.arm(ALLOCATION_BURST);
      await writeAll(socket, small);
      await done;
    });
    report({
      name: `${name}.bytes`,
      value: bytes,
      unit: 'B/msg',
      // A path that allocates enough to collect garbage inside every round has no clean sample.
      ...(Number.isNaN(bytes) && {
        error: 'no sample: a garbage collection ran in every round',
      }),
    });
  }
} finally {
  socket.destroy();
  await node.close();
}
