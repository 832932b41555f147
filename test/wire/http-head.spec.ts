import { describe, expect, it } from '@jest/globals';

import { RequestParseError, Upid } from '../../lib/wire/index.js';
import {
  CHUNKED_BODY,
  parseHttpHead,
  type HttpHead,
} from '../../lib/wire/http-head.js';
import {
  classifyRequest,
  RequestKind,
} from '../../lib/wire/libprocess-message.js';
import { DEFAULT_WIRE_LIMITS } from '../../lib/wire/wire.constants.js';

function parse(head: string, limits = DEFAULT_WIRE_LIMITS) {
  return parseHttpHead(head, limits, (text) => {
    try {
      return Upid.parse(text);
    } catch {
      return undefined;
    }
  });
}

function head(text: string): HttpHead {
  const parsed = parse(text);
  if (parsed instanceof RequestParseError) throw parsed;
  return parsed;
}

function failure(text: string): [number, string] {
  const parsed = parse(text);
  if (!(parsed instanceof RequestParseError)) {
    throw new Error(`accepted ${JSON.stringify(text)}`);
  }
  return [parsed.status, parsed.message];
}

describe('parseHttpHead', () => {
  it('decodes the C++ libprocess head: sender, framing, lower-cased headers', () => {
    const parsed = head(
      'POST /echo/count HTTP/1.1\r\nUser-Agent: libprocess/s@127.0.0.1:1\r\n' +
        'Libprocess-From: s@127.0.0.1:2\r\nConnection: Keep-Alive\r\nHost: 127.0.0.1:5\r\n' +
        'Transfer-Encoding: chunked',
    );
    expect(parsed).toMatchObject({
      method: 'POST',
      path: '/echo/count',
      version: '1.1',
      bodyLength: CHUNKED_BODY,
      expectContinue: false,
    });
    // Libprocess-From wins over the legacy User-Agent sender.
    expect(parsed.from?.toString()).toBe('s@127.0.0.1:2');
    expect({ ...parsed.headers }).toEqual({
      'user-agent': 'libprocess/s@127.0.0.1:1',
      'libprocess-from': 's@127.0.0.1:2',
      connection: 'Keep-Alive',
      host: '127.0.0.1:5',
      'transfer-encoding': 'chunked',
    });
  });

  it('takes the sender from User-Agent alone, and joins repeated headers', () => {
    const parsed = head(
      'POST /a/b HTTP/1.0\r\nUser-Agent: libprocess/x@10.0.0.1:7\r\nX: 1\r\nx:2\r\nContent-Length: 3',
    );
    expect(parsed.from?.toString()).toBe('x@10.0.0.1:7');
    expect(parsed.headers['x']).toBe('1, 2');
    expect(parsed.bodyLength).toBe(3);
    expect(parsed.version).toBe('1.0');
  });

  it('trims only SP and HTAB around values (RFC 9110)', () => {
    expect(head('GET / HTTP/1.1\r\nX: \t v \t').headers['x']).toBe('v');
    expect(
      head('POST / HTTP/1.1\r\nTransfer-Encoding: gzip ,\tchunked\t')
        .bodyLength,
    ).toBe(CHUNKED_BODY);
    // VT and FF are not HTTP whitespace: `chunked\v` is not `chunked`.
    expect(
      failure('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\x0b'),
    ).toEqual([400, 'Malformed header value']);
    expect(
      failure('POST / HTTP/1.1\r\nTransfer-Encoding: \x0cchunked'),
    ).toEqual([400, 'Malformed header value']);
  });

  it.each([
    ['GET  / HTTP/1.1', 'Malformed request line'],
    ['GET /', 'Malformed request line'],
    ['G(T / HTTP/1.1', 'Malformed method'],
    ['GET /a\x01 HTTP/1.1', 'Malformed request target'],
    ['GET / HTTP/2.0', 'Unsupported HTTP version'],
    ['GET / HTTP/1.2', 'Unsupported HTTP version'],
    ['GET / HTTP/1.1\r\nNoColon', 'Malformed header line'],
    ['GET / HTTP/1.1\r\n: empty name', 'Malformed header line'],
    ['GET / HTTP/1.1\r\nBad Name: x', 'Malformed header name'],
    ['GET / HTTP/1.1\r\n folded: x', 'Malformed header name'],
    ['GET / HTTP/1.1\r\nX: a\rb', 'Malformed header value'],
    ['GET / HTTP/1.1\r\nX: a\nb', 'Malformed header value'],
    ['GET / HTTP/1.1\r\nX: a\x00b', 'Malformed header value'],
    ['POST / HTTP/1.1\r\nContent-Length: -1', 'Invalid Content-Length'],
    ['POST / HTTP/1.1\r\nContent-Length: 1e3', 'Invalid Content-Length'],
    [
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2',
      'Invalid Content-Length',
    ],
    [
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip',
      'Unsupported Transfer-Encoding',
    ],
    [
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1',
      'Both Transfer-Encoding and Content-Length',
    ],
  ])('answers %j with 400 %s', (text, reason) => {
    expect(failure(text)).toEqual([400, reason]);
  });

  it('enforces the header count and body size limits (431, 413)', () => {
    const limits = {
      ...DEFAULT_WIRE_LIMITS,
      maxHeaderCount: 2,
      maxBodyBytes: 5,
    };
    const tooMany = parse('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3', limits);
    expect(tooMany).toMatchObject({ status: 431 });
    const tooBig = parse('POST / HTTP/1.1\r\nContent-Length: 6', limits);
    expect(tooBig).toMatchObject({ status: 413 });
    expect(parse('POST / HTTP/1.1\r\nContent-Length: 5', limits)).toMatchObject(
      { bodyLength: 5 },
    );
  });

  it('reports Expect: 100-continue for HTTP/1.1 only', () => {
    expect(head('POST / HTTP/1.1\r\nExpect: 100-Continue').expectContinue).toBe(
      true,
    );
    expect(head('POST / HTTP/1.0\r\nExpect: 100-continue').expectContinue).toBe(
      false,
    );
  });

  it('keeps header names such as __proto__ as plain entries', () => {
    const parsed = head('GET / HTTP/1.1\r\n__proto__: x\r\nconstructor: y');
    expect(parsed.headers['__proto__']).toBe('x');
    expect(parsed.headers['constructor']).toBe('y');
    expect(Object.getPrototypeOf({ ...parsed.headers })).toBe(Object.prototype);
  });
});

describe('classifyRequest', () => {
  it.each([
    [
      'POST /echo/ping HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Message,
      'echo',
      'ping',
    ],
    [
      'POST /a%20b/x?q=1 HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Message,
      'a b',
      'x',
    ],
    [
      'POST /%zz/x HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.UndecodableTarget,
      '',
      '',
    ],
    [
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: not-a-pid',
      RequestKind.UnparsableSender,
      '',
      '',
    ],
    [
      'POST /echo/x HTTP/1.1\r\nUser-Agent: libprocess/bad',
      RequestKind.UnparsableSender,
      '',
      '',
    ],
    ['POST /echo/x HTTP/1.1\r\nUser-Agent: curl/8', RequestKind.Http, '', ''],
    [
      'GET /echo/x HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Http,
      '',
      '',
    ],
    [
      'POST /echo HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Http,
      '',
      '',
    ],
    [
      'POST /echo/ HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Http,
      '',
      '',
    ],
    [
      'POST //x HTTP/1.1\r\nLibprocess-From: s@1.2.3.4:5',
      RequestKind.Http,
      '',
      '',
    ],
  ])('%j is %s', (text, kind, to, name) => {
    expect(classifyRequest(head(text))).toEqual({ kind, to, name });
  });
});
