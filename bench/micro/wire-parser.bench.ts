/**
 * Parser throughput: a pipelined stream of 100-byte `count` messages in each peer dialect,
 * fed to `HttpRequestDecoder` in 64 KiB reads (what a socket delivers under load).
 * `libprocess-mixed` alternates two mailboxes, so no request head repeats the previous one.
 */
import {
  encodeMessage,
  HttpRequestDecoder,
  Upid,
  DEFAULT_WIRE_LIMITS,
} from '../../lib/wire/index.js';
import { QUICK, rate, repeatMeasure } from '../support/bench-runner.js';

const MESSAGES = 2000;
const READ_BYTES = 64 * 1024;
const from = new Upid('sender', '127.0.0.1', 40001);
const to = new Upid('echo', '127.0.0.1', 5050);
const body = Buffer.alloc(100, 'x');

// The dialects of ../shared/peers/README.md, section 5.
const DIALECTS: Record<string, (i: number) => Buffer> = {
  libprocess: () => encodeMessage(from, to, 'count', body),
  'libprocess-mixed': (i) =>
    encodeMessage(from, to, i % 2 === 0 ? 'count' : 'ping', body),
  compactor: () =>
    Buffer.concat([
      Buffer.from(
        `POST /echo/count HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: ${body.length}\r\nLibprocess-From: ${from}\r\n\r\n`,
        'latin1',
      ),
      body,
    ]),
  go: () =>
    Buffer.concat([
      Buffer.from(
        `POST /echo/mesos.internal.TaskID HTTP/1.1\r\nHost: ${to.address}\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: ${body.length}\r\nConnection: Keep-Alive\r\nContent-Type: application/x-protobuf\r\nLibprocess-From: ${from}\r\nAccept-Encoding: gzip\r\n\r\n`,
        'latin1',
      ),
      body,
    ]),
};

for (const [dialect, frame] of Object.entries(DIALECTS)) {
  const stream = Buffer.concat(
    Array.from({ length: MESSAGES }, (_, i) => frame(i)),
  );
  const reads: Buffer[] = [];
  for (let offset = 0; offset < stream.length; offset += READ_BYTES) {
    reads.push(stream.subarray(offset, offset + READ_BYTES));
  }
  await repeatMeasure(
    `micro.parser.${dialect}`,
    'msgs/s',
    () => {
      let delivered = 0;
      const value = rate(MESSAGES, QUICK ? 150 : 500, () => {
        // A fresh parser per round, as per connection: the first head is parsed in full.
        const parser = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
          onRequest: () => delivered++,
          onError: (error) => {
            throw error;
          },
        });
        for (const read of reads) parser.execute(read);
      });
      if (delivered % MESSAGES !== 0)
        throw new Error(`parsed ${delivered}, not a multiple of ${MESSAGES}`);
      return value;
    },
    { message_bytes: stream.length / MESSAGES },
  );
}
