/**
 * Encoder throughput for a 100-byte message: `encodeMessage` (one Buffer per message) and
 * the connection's path (`encodeMessageHead` written into a shared 64 KiB slab).
 */
import {
  encodeMessage,
  encodeMessageHead,
  MESSAGE_BODY_END,
  Upid,
} from '../../lib/wire/index.js';
import { QUICK, rate, repeatMeasure } from '../support/bench-runner.js';

const from = new Upid('sender', '127.0.0.1', 40001);
const to = new Upid('echo', '127.0.0.1', 5050);
const body = Buffer.alloc(100, 'x');
const ROUND = 10_000;
const MIN_MS = QUICK ? 150 : 500;

let sink = 0;
await repeatMeasure('micro.encoder.buffer', 'msgs/s', () =>
  rate(ROUND, MIN_MS, () => {
    for (let i = 0; i < ROUND; i++)
      sink += encodeMessage(from, to, 'count', body).length;
  }),
);

const slab = Buffer.allocUnsafe(64 * 1024);
await repeatMeasure('micro.encoder.slab', 'msgs/s', () =>
  rate(ROUND, MIN_MS, () => {
    let offset = 0;
    for (let i = 0; i < ROUND; i++) {
      const head = encodeMessageHead(from, to, 'count', body.length);
      if (
        slab.length - offset <
        head.length + body.length + MESSAGE_BODY_END.length
      )
        offset = 0;
      offset += slab.write(head, offset, 'latin1');
      slab.set(body, offset);
      offset += body.length;
      offset += MESSAGE_BODY_END.copy(slab, offset);
    }
    sink += offset;
  }),
);
if (sink === 0) throw new Error('nothing encoded');
