import { describe, expect, it } from '@jest/globals';

import { encodeMessageHead, Upid } from '../../lib/wire/index.js';
import { MessageHeadCache } from '../../lib/wire/message-head-cache.js';
import { MAX_CACHED_MESSAGE_HEADS } from '../../lib/wire/wire.constants.js';

describe('MessageHeadCache', () => {
  it('returns the heads encodeMessageHead writes, for many senders and names, bounded', () => {
    const cache = new MessageHeadCache();
    const senders = [
      Upid.parse('a@127.0.0.1:1'),
      Upid.parse('b@[::1]:2'),
      Upid.parse('a@127.0.0.1:1'), // equal to the first, another object
    ];
    const processes = ['echo', 'master'].map(
      (id) => new Upid(id, '127.0.0.1', 5050),
    );
    let sizeSeen = 0;
    // 3 x 2 x 150 heads, revisited: more than the cache holds, and repeats after each clear.
    for (let i = 0; i < 3000; i++) {
      const from = senders[i % 3];
      const to = processes[(i >> 1) % 2];
      const name = `name.${(i * 7) % 150}`;
      const chunked = i % 3 !== 0;
      const expected = chunked
        ? encodeMessageHead(from, to, name, 1).slice(0, -3) // without `1\r\n`
        : encodeMessageHead(from, to, name, 0);
      expect(cache.head(from, to, name, chunked).toString('latin1')).toBe(
        expected,
      );
      sizeSeen = Math.max(sizeSeen, cache.size);
    }
    expect(sizeSeen).toBe(MAX_CACHED_MESSAGE_HEADS);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
