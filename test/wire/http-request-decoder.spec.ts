import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_WIRE_LIMITS,
  RequestParseError,
  HttpRequestDecoder,
  type WireLimits,
  type WireRequest,
} from '../../lib/wire/index.js';
import { DIALECTS, dialectMessage } from './wire-fixtures.js';

function parse(
  input: Buffer | string | Array<Buffer | string>,
  limits: Partial<WireLimits> = {},
) {
  const requests: WireRequest[] = [];
  const errors: RequestParseError[] = [];
  const parser = new HttpRequestDecoder(
    { ...DEFAULT_WIRE_LIMITS, ...limits },
    {
      onRequest: (request) => requests.push(request),
      onError: (error) => errors.push(error),
    },
  );
  for (const piece of Array.isArray(input) ? input : [input]) {
    parser.execute(
      typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece,
    );
  }
  return { requests, errors, parser };
}

describe('HttpRequestDecoder', () => {
  it.each(DIALECTS)('parses a %s message and its sender', (dialect) => {
    const message = dialectMessage(
      dialect,
      'sender@127.0.0.1:42421',
      'echo@127.0.0.1:16003',
      'count',
      Buffer.from('xxxxx'),
    );
    const { requests, errors } = parse(message.bytes);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/echo/count');
    expect(request.version).toBe(
      dialect.startsWith('compactor') ? '1.0' : '1.1',
    );
    expect(request.from?.toString()).toBe('sender@127.0.0.1:42421');
    expect(request.body.toString()).toBe('xxxxx');
  });

  it('parses the literal captures of the peers README', () => {
    const { requests, errors } = parse(
      'POST /echo/mesos.internal.TaskID HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 7\r\n' +
        'User-Agent: libprocess/sender@127.0.0.1:45789\r\n\r\n\n\x05xxxxx' +
        'POST /echo/mesos.internal.SlaveID HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n' +
        'User-Agent: libprocess/sender@127.0.0.1:45789\r\n\r\n\n\x00',
    );
    expect(errors).toEqual([]);
    expect(
      requests.map((r) => [r.path, r.from?.toString(), [...r.body]]),
    ).toEqual([
      [
        '/echo/mesos.internal.TaskID',
        'sender@127.0.0.1:45789',
        [10, 5, 120, 120, 120, 120, 120],
      ],
      ['/echo/mesos.internal.SlaveID', 'sender@127.0.0.1:45789', [10, 0]],
    ]);
  });

  it('lower-cases header names, trims values and joins repeated headers', () => {
    const { requests } = parse(
      'GET /a?b=1 HTTP/1.1\r\nX-One:  v1 \r\nx-one:\tv2\r\nHOST: h\r\nEmpty:\r\n\r\n',
    );
    expect(requests[0].path).toBe('/a?b=1');
    expect({ ...requests[0].headers }).toEqual({
      'x-one': 'v1, v2',
      host: 'h',
      empty: '',
    });
    expect(requests[0].body).toHaveLength(0);
    expect(requests[0].from).toBeUndefined();
  });

  it('prefers Libprocess-From over the User-Agent sender', () => {
    const { requests } = parse(
      'POST /e/n HTTP/1.1\r\nUser-Agent: libprocess/ua@1.1.1.1:1\r\nLibprocess-From: lf@2.2.2.2:2\r\n\r\n',
    );
    expect(requests[0].from?.toString()).toBe('lf@2.2.2.2:2');
  });

  it('leaves the sender undefined when it cannot be parsed', () => {
    const { requests, errors } = parse(
      'POST /e/n HTTP/1.1\r\nLibprocess-From: nonsense\r\n\r\n' +
        'POST /e/n HTTP/1.1\r\nUser-Agent: Go-http-client/1.1\r\n\r\n',
    );
    expect(errors).toEqual([]);
    expect(requests.map((r) => r.from)).toEqual([undefined, undefined]);
  });

  it('decodes chunked bodies with any chunk sizes, extensions and trailers', () => {
    const { requests, errors } = parse(
      'POST /e/n HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '3;ext=1\r\nabc\r\nA \r\n0123456789\r\n1\r\nz\r\n0\r\nTrailer-One: x\r\nT2: y\r\n\r\n' +
        'GET /next HTTP/1.1\r\n\r\n',
    );
    expect(errors).toEqual([]);
    expect(requests.map((r) => r.body.toString())).toEqual([
      'abc0123456789z',
      '',
    ]);
    expect(requests[1].path).toBe('/next');
  });

  it('delivers the same requests however the stream is split', () => {
    const stream = Buffer.concat(
      DIALECTS.map(
        (dialect, i) =>
          dialectMessage(
            dialect,
            `s${i}@127.0.0.1:1`,
            'echo@127.0.0.1:2',
            `m${i}`,
            Buffer.from(`body-${i}`),
          ).bytes,
      ),
    );
    for (let size = 1; size <= 7; size++) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size)
        pieces.push(stream.subarray(i, i + size));
      const { requests, errors } = parse(pieces);
      expect(errors).toEqual([]);
      expect(
        requests.map((r) => [r.path, r.body.toString(), r.from?.id]),
      ).toEqual(DIALECTS.map((_, i) => [`/echo/m${i}`, `body-${i}`, `s${i}`]));
    }
  });

  it('slices bodies that arrive in one read without copying', () => {
    const chunk = Buffer.from(
      'POST /e/n HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc',
    );
    const { requests } = parse(chunk);
    expect(requests[0].body.buffer).toBe(chunk.buffer);
  });

  it('tolerates blank lines between requests', () => {
    const { requests, errors } = parse(
      '\r\nGET / HTTP/1.0\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\n\r\n',
    );
    expect(errors).toEqual([]);
    expect(requests.map((r) => r.path)).toEqual(['/', '/2']);
  });

  it.each([
    ['a request line without version', 400, 'GET /\r\n\r\n'],
    ['HTTP/2', 400, 'GET / HTTP/2.0\r\n\r\n'],
    ['a header without colon', 400, 'GET / HTTP/1.1\r\nNoColon\r\n\r\n'],
    ['obsolete line folding', 400, 'GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n'],
    ['a space before the colon', 400, 'GET / HTTP/1.1\r\nA : b\r\n\r\n'],
    [
      'a bad Content-Length',
      400,
      'POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n',
    ],
    [
      'conflicting Content-Lengths',
      400,
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
    ],
    [
      'an unknown transfer coding',
      400,
      'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
    ],
    [
      'Transfer-Encoding with Content-Length',
      400,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n',
    ],
    [
      'a bad chunk size',
      400,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
    [
      'chunk data without CRLF',
      400,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n',
    ],
    [
      'a huge chunk size',
      413,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n',
    ],
  ])('rejects %s with %i and stops', (_, status, input) => {
    const { requests, errors, parser } = parse([
      input,
      'GET / HTTP/1.1\r\n\r\n',
    ]);
    expect(requests).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RequestParseError);
    expect(errors[0].status).toBe(status);
    expect(parser.stopped).toBe(true);
  });

  it('enforces the header byte limit, also while the head is still arriving', () => {
    const big = `GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}\r\n\r\n`;
    expect(parse(big, { maxHeaderBytes: 100 }).errors[0].status).toBe(431);
    const pieces = Array.from({ length: 50 }, () => 'X-Long: aaaaaaaaaa\r\n');
    const { errors } = parse(['GET / HTTP/1.1\r\n', ...pieces], {
      maxHeaderBytes: 100,
    });
    expect(errors.map((e) => e.status)).toEqual([431]);
  });

  it('clocks a request body only while it spans reads, and a head apart from it', () => {
    const head =
      'POST /echo/m HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nContent-Length: 4\r\n\r\n';
    const { parser, requests } = parse(head + 'abcd' + head + 'ab');
    expect(requests).toHaveLength(1);
    expect(parser.bodyPendingSince).toBeGreaterThan(0);
    expect(parser.pendingSince).toBe(0);
    parser.execute(Buffer.from(`cd${head}abcd`, 'latin1'));
    expect(requests).toHaveLength(3);
    expect(parser.bodyPendingSince).toBe(0);
    parser.execute(
      Buffer.from(
        'POST /echo/c HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n',
        'latin1',
      ),
    );
    expect(parser.bodyPendingSince).toBeGreaterThan(0);
    parser.execute(Buffer.from('0\r\n\r\nPOST /echo/m HTTP/1.1\r\n', 'latin1'));
    expect(requests).toHaveLength(4);
    // A head still arriving is the header clock's, not the body's.
    expect(parser.bodyPendingSince).toBe(0);
    expect(parser.pendingSince).toBeGreaterThan(0);
  });

  it('enforces the header count limit', () => {
    const head = `GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(5)}\r\n`;
    expect(parse(head, { maxHeaderCount: 5 }).errors).toEqual([]);
    expect(parse(head, { maxHeaderCount: 4 }).errors[0].status).toBe(431);
  });

  it('enforces the body limit for Content-Length and chunked bodies', () => {
    expect(
      parse('POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n', {
        maxBodyBytes: 10,
      }).errors[0].status,
    ).toBe(413);
    const chunked =
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\naaaaaa\r\n6\r\n';
    expect(parse(chunked, { maxBodyBytes: 10 }).errors[0].status).toBe(413);
    expect(parse(chunked, { maxBodyBytes: 12 }).errors).toEqual([]);
  });

  it('reuses the parse of a repeated head for alternating mailboxes', () => {
    const messages = ['count', 'ping', 'count', 'ping', 'report', 'count'].map(
      (name, i) =>
        dialectMessage(
          'libprocess',
          's@127.0.0.1:1',
          'echo@127.0.0.1:2',
          name,
          Buffer.from(`b${i}`),
        ).bytes,
    );
    const { requests, errors } = parse(Buffer.concat(messages));
    expect(errors).toEqual([]);
    expect(requests.map((r) => [r.path, r.body.toString()])).toEqual([
      ['/echo/count', 'b0'],
      ['/echo/ping', 'b1'],
      ['/echo/count', 'b2'],
      ['/echo/ping', 'b3'],
      ['/echo/report', 'b4'],
      ['/echo/count', 'b5'],
    ]);
    // Repeats share the cached (frozen) parse of their head.
    expect(requests[2].headers).toBe(requests[0].headers);
    expect(requests[5].headers).toBe(requests[0].headers);
    expect(requests[3].headers).toBe(requests[1].headers);
    expect(Object.isFrozen(requests[0].headers)).toBe(true);
  });

  it('reports Expect: 100-continue for HTTP/1.1 requests with a body, repeated heads too', () => {
    const continues: number[] = [];
    const requests: WireRequest[] = [];
    const parser = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
      onRequest: (request) => requests.push(request),
      onError: (error) => {
        throw error;
      },
      onExpectContinue: () => continues.push(requests.length),
    });
    const withBody =
      'POST /a HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n';
    // The head alone: the client waits for the interim response before sending the body.
    parser.execute(Buffer.from(withBody));
    expect(continues).toEqual([0]);
    parser.execute(Buffer.from('hi'));
    parser.execute(
      Buffer.from(
        'POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n' +
          'POST /a HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi' +
          'POST /a HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n' +
          'POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi' +
          `${withBody}hi`,
      ),
    );
    expect(requests.map((r) => r.body.toString())).toEqual([
      'hi',
      '',
      'hi',
      'hi',
      'hi',
      'hi',
    ]);
    // Not for an empty body, HTTP/1.0 or a request without the header.
    expect(continues).toEqual([0, 3, 5]);
  });

  it('hands messages to the message sink positionally, a repeated head with its cached sender', () => {
    const messages: unknown[][] = [];
    const requests: WireRequest[] = [];
    const parser = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
      onRequest: (request) => requests.push(request),
      onError: (error) => {
        throw error;
      },
      onMessage: (...message) => messages.push(message),
    });
    const message = (to: string, name: string, body: string) =>
      dialectMessage(
        'libprocess',
        's@127.0.0.1:1',
        `${to}@127.0.0.1:2`,
        name,
        Buffer.from(body),
      ).bytes;
    const sender =
      'POST /a%20b/x?q=1 HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\n';
    parser.execute(
      Buffer.concat([
        message('echo', 'count', 'b0'),
        Buffer.from('GET /echo/count HTTP/1.1\r\n\r\n'),
        message('echo', 'count', 'b1'),
        Buffer.from(`${sender}Content-Length: 2\r\n\r\nb2`),
        // A process id that cannot be percent-decoded is left to the request handler.
        Buffer.from(
          'POST /%zz/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\n\r\n',
        ),
      ]),
    );
    expect(
      messages.map(([from, to, name, body]) => [
        String(from),
        to,
        name,
        String(body),
      ]),
    ).toEqual([
      ['s@127.0.0.1:1', 'echo', 'count', 'b0'],
      ['s@127.0.0.1:1', 'echo', 'count', 'b1'],
      ['s@127.0.0.1:1', 'a b', 'x', 'b2'],
    ]);
    expect(messages[1][0]).toBe(messages[0][0]);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /echo/count',
      'POST /%zz/x',
    ]);
  });

  it('ignores everything after stop()', () => {
    const { parser, requests } = parse('GET /1 HTTP/1.1\r\n\r\n');
    parser.stop();
    parser.execute(Buffer.from('GET /2 HTTP/1.1\r\n\r\n'));
    expect(requests.map((r) => r.path)).toEqual(['/1']);
  });
});
