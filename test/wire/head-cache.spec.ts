import { describe, expect, it } from '@jest/globals';

import { DEFAULT_WIRE_LIMITS } from '../../lib/wire/index.js';
import { HeadCache } from '../../lib/wire/head-cache.js';
import { parseHttpHead, type HttpHead } from '../../lib/wire/http-head.js';
import {
  cachingSenderParser,
  classifyRequest,
} from '../../lib/wire/libprocess-message.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const viewOf = (data: Buffer) =>
  new DataView(data.buffer, data.byteOffset, data.length);

/** A cache holding `text` (a head without its CRLFCRLF). */
function cacheOf(...texts: string[]): HeadCache {
  const cache = new HeadCache();
  for (const text of texts) {
    const head = parseHttpHead(
      text,
      DEFAULT_WIRE_LIMITS,
      cachingSenderParser(),
    ) as HttpHead;
    const data = latin1(`${text}\r\n\r\n`);
    cache.remember(data, 0, text.length, head, classifyRequest(head));
  }
  return cache;
}

describe('HeadCache', () => {
  // Lengths 4k to 4k + 3, so that every tail of the word comparison is exercised.
  const heads = ['', 'X', 'XY', 'XYZ'].map(
    (pad) =>
      `POST /echo/count${pad} HTTP/1.1\r\nUser-Agent: libprocess/s@127.0.0.1:1\r\n` +
      'Libprocess-From: s@127.0.0.1:1\r\nConnection: Keep-Alive\r\nHost: 127.0.0.1:2\r\n' +
      'Transfer-Encoding: chunked',
  );

  it('finds an exact repeat at any offset, and only an exact one', () => {
    const cache = cacheOf(...heads);
    for (const text of heads) {
      for (const offset of [0, 1, 2, 3, 7]) {
        const data = latin1(
          `${'\r\n'.repeat(8).slice(0, offset)}${text}\r\n\r\n5\r\n`,
        );
        const cached = cache.match(data, viewOf(data), offset);
        expect(cached?.bytes.toString('latin1')).toBe(text);
        // One byte changed anywhere: no match (the last byte also stands for the tails).
        for (let at = 0; at < text.length; at++) {
          const changed = Buffer.from(data);
          changed[offset + at] ^= 0x20;
          expect([
            text.length,
            at,
            cache.match(changed, viewOf(changed), offset),
          ]).toEqual([text.length, at, undefined]);
        }
      }
    }
  });

  it('needs the whole head and its CRLFCRLF within the read', () => {
    const cache = cacheOf(heads[1]);
    const full = latin1(`${heads[1]}\r\n\r\n`);
    for (let cut = 0; cut < full.length; cut++) {
      const data = full.subarray(0, cut);
      expect(cache.match(data, viewOf(data), 0)).toBeUndefined();
    }
    const longer = latin1(`${heads[1]}\r\nX-More: 1\r\n\r\n`);
    expect(cache.match(longer, viewOf(longer), 0)).toBeUndefined();
  });
});
