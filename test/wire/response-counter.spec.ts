import { describe, expect, it } from '@jest/globals';

import { ACCEPTED_RUN_MAX } from '../../lib/wire/http-response-encoder.js';
import { ResponseCounter } from '../../lib/wire/response-counter.js';
import { ACCEPTED } from './wire-fixtures.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
// C++ libprocess' answer (with a Date), compactor's, and a response with a body.
const CPP_ACCEPTED =
  'HTTP/1.1 202 Accepted\r\nDate: Mon, 23 Nov 2026 08:38:18 GMT\r\nContent-Length: 0\r\n\r\n';
const TORNADO_ACCEPTED =
  'HTTP/1.1 202 Accepted\r\nDate: Mon, 23 Nov 2026 08:16:56 GMT\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n';
const WITH_BODY = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** Counts `stream` fed in the given pieces. */
function count(stream: Buffer, cuts: number[]): ResponseCounter {
  const counter = new ResponseCounter();
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    counter.feed(stream.subarray(from, cut));
    from = cut;
  }
  return counter;
}

describe('ResponseCounter', () => {
  it('counts runs of 202s, whatever the reads they are cut into', () => {
    // More than two comparison runs hold.
    const n = 2 * ACCEPTED_RUN_MAX + 100;
    const stream = latin1(ACCEPTED.repeat(n));
    expect(count(stream, []).count).toBe(n);
    const run = ACCEPTED_RUN_MAX * ACCEPTED.length;
    for (const cut of [1, 20, 43, 44, 45, 10_000, run, run + 1, run - 1]) {
      expect(count(stream, [cut]).count).toBe(n);
    }
    // Reads of every size up to two responses, and a few larger ones.
    for (const size of [
      ...Array.from({ length: 2 * ACCEPTED.length }, (_, i) => i + 1),
      1000,
      65_536,
    ]) {
      const cuts: number[] = [];
      for (let at = size; at < stream.length; at += size) cuts.push(at);
      expect(count(stream, cuts).count).toBe(n);
    }
  });

  it('counts a mixed stream split at every offset, 100 Continue excluded', () => {
    const stream = latin1(
      ACCEPTED.repeat(3) +
        NOT_FOUND +
        ACCEPTED.repeat(2) +
        CONTINUE +
        WITH_BODY +
        CPP_ACCEPTED +
        TORNADO_ACCEPTED +
        ACCEPTED.repeat(4),
    );
    const expected = 3 + 1 + 2 + 1 + 1 + 1 + 4;
    for (let cut = 0; cut <= stream.length; cut++) {
      const counter = count(stream, [cut]);
      expect([cut, counter.count, counter.broken]).toEqual([
        cut,
        expected,
        false,
      ]);
    }
    for (let cut = 0; cut + 7 <= stream.length; cut += 3) {
      expect(count(stream, [cut, cut + 7]).count).toBe(expected);
    }
  });

  it('stops counting at a stream it cannot frame', () => {
    const chunked = count(
      latin1(
        ACCEPTED +
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' +
          ACCEPTED,
      ),
      [60],
    );
    expect([chunked.count, chunked.broken]).toEqual([1, true]);
    // A head that never ends, fed in small reads: the counter holds at most ~8 KiB of it.
    const endless = new ResponseCounter();
    endless.feed(latin1(ACCEPTED));
    for (let i = 0; i < 100 && !endless.broken; i++) {
      endless.feed(
        latin1(`HTTP/1.1 202 Accepted\r\nX-${i}: ${'y'.repeat(200)}`),
      );
    }
    expect([endless.count, endless.broken]).toEqual([1, true]);
    endless.feed(latin1(ACCEPTED));
    expect(endless.count).toBe(1);
  });
});
