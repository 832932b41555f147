import { describe, expect, it } from '@jest/globals';

import { ChunkedBodyDecoder } from '../../lib/wire/chunked-body-decoder.js';
import { PendingLine } from '../../lib/wire/pending-line.js';
import { RequestBody } from '../../lib/wire/request-body.js';

const limits = { maxHeaderBytes: 64, maxBodyBytes: 1024 };
const bytes = (text: string) => Buffer.from(text, 'latin1');

function decoder(): { chunked: ChunkedBodyDecoder; body: RequestBody } {
  const body = new RequestBody();
  const chunked = new ChunkedBodyDecoder(limits, body);
  chunked.start();
  return { chunked, body };
}

describe('ChunkedBodyDecoder', () => {
  it('decodes chunks, extensions and trailer fields, and stops just past the body', () => {
    const { chunked, body } = decoder();
    const data = bytes(
      '3;ext=1\r\nabc\r\nA \r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nNEXT',
    );
    const end = chunked.decode(data, 0);
    expect(chunked.complete).toBe(true);
    expect(chunked.error).toBeNull();
    expect(data.subarray(end).toString()).toBe('NEXT');
    expect(body.take().toString()).toBe('abc0123456789');
  });

  it('keeps the single chunk of one read as a slice of it, without a copy', () => {
    const { chunked, body } = decoder();
    const data = bytes('5\r\nhello\r\n0\r\n\r\n');
    chunked.decode(data, 0);
    const taken = body.take();
    expect(taken.toString()).toBe('hello');
    expect(taken.buffer).toBe(data.buffer);
  });

  it('decodes variations of the single-chunk ending like the canonical one, cut anywhere', () => {
    const endings = [
      '0\r\n\r\n', // what C++ libprocess writes
      '00\r\n\r\n',
      '0;x=1\r\n\r\n',
      '0\r\nX-T: 1\r\n\r\n',
    ];
    for (const ending of endings) {
      const data = bytes(`5\r\nhello\r\n${ending}NEXT`);
      for (let cut = 0; cut <= data.length - 4; cut++) {
        const { chunked, body } = decoder();
        // The caller hands a cut line back completed (as HttpRequestDecoder does).
        const line = new PendingLine();
        let end = chunked.decode(data.subarray(0, cut), 0);
        line.append(data, end, cut);
        if (!chunked.complete && chunked.error === null) {
          const rest = Buffer.concat([line.take(), data.subarray(cut)]);
          end = chunked.decode(rest, 0);
          expect(rest.subarray(end).toString()).toBe('NEXT');
        }
        expect([ending, cut, chunked.complete, chunked.error]).toEqual([
          ending,
          cut,
          true,
          null,
        ]);
        expect(body.take().toString()).toBe('hello');
      }
    }
  });

  it('reports a bad end of a single chunk, and a chunk over the body limit', () => {
    for (const [text, status] of [
      ['5\r\nhelloXY0\r\n\r\n', 400],
      [`801\r\n${'x'.repeat(2049)}\r\n0\r\n\r\n`, 413],
    ] as const) {
      const { chunked } = decoder();
      chunked.decode(bytes(text), 0);
      expect([chunked.complete, chunked.error?.status]).toEqual([
        false,
        status,
      ]);
    }
  });

  it('stops at the start of a line the read cut, and goes on from the completed line', () => {
    const { chunked, body } = decoder();
    const first = bytes('4\r\nabcd\r\n1');
    expect(chunked.decode(first, 0)).toBe(first.length - 1);
    expect(chunked.complete).toBe(false);
    // The caller hands the completed line back, then the rest of the read.
    expect(chunked.decode(bytes('10\r\n'), 0)).toBe(4);
    const rest = bytes('0123456789abcdef\r');
    expect(chunked.decode(rest, 0)).toBe(rest.length - 1);
    expect(chunked.awaitsDataEnd).toBe(true);
    chunked.decode(bytes('\r\n'), 0);
    chunked.decode(bytes('0\r\n\r\n'), 0);
    expect(chunked.complete).toBe(true);
    expect(body.take().toString()).toBe('abcd0123456789abcdef');
  });

  it.each([
    ['a size that is no hex number', 'x\r\n', 400],
    ['chunk data not followed by CRLF', '1\r\naXY', 400],
    ['a size beyond 12 hex digits', '1000000000000\r\n', 413],
    ['a body beyond maxBodyBytes', '401\r\n', 413],
    ['a chunk line beyond maxHeaderBytes', `1;${'e'.repeat(80)}\r\n`, 431],
    ['trailers beyond maxHeaderBytes', `0\r\nX: ${'t'.repeat(80)}\r\n`, 431],
  ])('reports %s', (_, input, status) => {
    const { chunked } = decoder();
    chunked.decode(bytes(input), 0);
    expect(chunked.error?.status).toBe(status);
    expect(chunked.complete).toBe(false);
  });
});

describe('RequestBody', () => {
  it('grows a Content-Length body with what arrived, not with what was announced', () => {
    const body = new RequestBody();
    body.appendSized(bytes('0123456789'), 0, 10, 100 * 1024 * 1024);
    expect(body.bufferedBytes).toBeLessThanOrEqual(16 * 1024);
    expect(body.length).toBe(10);
    body.clear();
    expect(body.bufferedBytes).toBe(0);
  });
});

describe('PendingLine', () => {
  it('finds a terminator that straddles the pending bytes and the next read', () => {
    const CRLFCRLF = bytes('\r\n\r\n');
    for (let split = 1; split < 4; split++) {
      const line = new PendingLine();
      const head = bytes('GET / HTTP/1.1\r\n\r\nrest');
      const cut = 14 + split;
      line.append(head, 0, cut);
      expect(line.since).toBeGreaterThan(0);
      expect(line.endIn(head.subarray(cut), CRLFCRLF)).toBe(18 - cut);
    }
    const line = new PendingLine();
    line.append(bytes('GET / HTTP/1.1\r\n'), 0, 16);
    expect(line.endIn(bytes('Host: x'), CRLFCRLF)).toBe(-1);
    expect(line.endIn(bytes('Host: x\r\n\r\n'), CRLFCRLF)).toBe(11);
    expect(line.take().toString()).toBe('GET / HTTP/1.1\r\n');
    expect(line.since).toBe(0);
  });
});
