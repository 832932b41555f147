import { describe, expect, it } from '@jest/globals';

import {
  DEFAULT_WIRE_LIMITS,
  RequestParseError,
  HttpRequestDecoder,
  type WireLimits,
  type WireRequest,
} from '../../lib/wire/index.js';
import {
  DIALECTS,
  dialectMessage,
  prng,
  randomSplit,
  type DialectMessage,
} from './wire-fixtures.js';

// Change to replay a failure; every case logs its own seed in the assertion message.
const BASE_SEED = 0x5eed;
const NAMES = ['count', 'report', 'ping', 'mesos.internal.TaskID', 'a/b', 'x'];
const IDS = ['echo', 'slave(1)', 'scheduler-0f3c-9a', 'master'];

type Random = () => number;

function pick<T>(random: Random, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)];
}

function randomBody(random: Random, maxLength: number): Buffer {
  const roll = random();
  const length =
    roll < 0.2
      ? 0
      : roll < 0.9
        ? Math.floor(random() * Math.min(200, maxLength))
        : Math.floor(random() * maxLength);
  const body = Buffer.allocUnsafe(length);
  // Inline xorshift: filling large bodies through the PRNG closure would dominate the run.
  let state = (random() * 0xffffffff) | 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    body[i] = state & 0xff;
  }
  return body;
}

/** C++ framing but with the body cut into random chunks with extensions and trailers. */
function multiChunked(random: Random, message: DialectMessage): DialectMessage {
  const [id] = message.to.split('@');
  const parts: Buffer[] = [
    Buffer.from(
      `POST /${id}/${message.name} HTTP/1.1\r\nuser-agent: libprocess/${message.from}\r\n` +
        `LIBPROCESS-FROM: ${message.from}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      'latin1',
    ),
  ];
  let offset = 0;
  while (offset < message.body.length) {
    const size = Math.min(
      message.body.length - offset,
      1 + Math.floor(random() * 50),
    );
    const extension = random() < 0.3 ? ';name=value' : '';
    const hex =
      random() < 0.5 ? size.toString(16) : size.toString(16).toUpperCase();
    parts.push(Buffer.from(`${hex}${extension}\r\n`, 'latin1'));
    parts.push(
      message.body.subarray(offset, offset + size),
      Buffer.from('\r\n'),
    );
    offset += size;
  }
  parts.push(
    Buffer.from(
      random() < 0.5 ? '0\r\n\r\n' : '0\r\nX-Trailer: 1\r\n\r\n',
      'latin1',
    ),
  );
  return { ...message, bytes: Buffer.concat(parts) };
}

/**
 * Messages from a small pool of senders and mailboxes, as on a real connection, so that heads
 * repeat (the parser's repeated-head path) as well as differ.
 */
function randomMessages(
  random: Random,
  count: number,
  maxBody: number,
): DialectMessage[] {
  const senders = Array.from(
    { length: 1 + Math.floor(random() * 3) },
    () =>
      `${pick(random, IDS)}@127.0.0.${1 + Math.floor(random() * 3)}:${Math.floor(random() * 65536)}`,
  );
  const dialect = pick(random, DIALECTS);
  return Array.from({ length: count }, () => {
    const message = dialectMessage(
      random() < 0.8 ? dialect : pick(random, DIALECTS),
      pick(random, senders),
      `${pick(random, IDS.slice(0, 2))}@10.0.0.1:5050`,
      pick(random, NAMES.slice(0, random() < 0.7 ? 2 : NAMES.length)),
      random() < 0.3 ? Buffer.from('xxxxx') : randomBody(random, maxBody),
    );
    return random() < 0.2 ? multiChunked(random, message) : message;
  });
}

function feed(pieces: Buffer[], limits: WireLimits = DEFAULT_WIRE_LIMITS) {
  const requests: WireRequest[] = [];
  const errors: unknown[] = [];
  const parser = new HttpRequestDecoder(limits, {
    onRequest: (request) => requests.push(request),
    onError: (error) => errors.push(error),
  });
  for (const piece of pieces) parser.execute(piece);
  return { requests, errors };
}

/** Like {@link feed} with a message sink: messages and other requests, in stream order. */
function feedWithSink(pieces: Buffer[]): string[][] {
  const seen: string[][] = [];
  const parser = new HttpRequestDecoder(DEFAULT_WIRE_LIMITS, {
    onRequest: (r) =>
      seen.push(['request', r.path, String(r.from), r.body.toString('hex')]),
    onError: (error) => {
      throw error;
    },
    onMessage: (from, to, name, body) =>
      seen.push([
        'message',
        `/${to}/${name}`,
        String(from),
        body.toString('hex'),
      ]),
  });
  for (const piece of pieces) parser.execute(piece);
  return seen;
}

function summary(request: WireRequest): [string, string | undefined, string] {
  return [request.path, request.from?.toString(), request.body.toString('hex')];
}

function expected(message: DialectMessage): [string, string, string] {
  const [id] = message.to.split('@');
  return [`/${id}/${message.name}`, message.from, message.body.toString('hex')];
}

describe('HttpRequestDecoder fuzz', () => {
  it('delivers every message of randomly split pipelined streams exactly once, in order', () => {
    for (let round = 0; round < 300; round++) {
      const seed = BASE_SEED + round;
      const random = prng(seed);
      const messages = randomMessages(
        random,
        1 + Math.floor(random() * 12),
        70_000,
      );
      const stream = Buffer.concat(messages.map((m) => m.bytes));
      const pieces = randomSplit(stream, random, Math.floor(random() * 40));
      const { requests, errors } = feed(pieces);
      expect({ seed, errors }).toEqual({ seed, errors: [] });
      expect({ seed, requests: requests.map(summary) }).toEqual({
        seed,
        requests: messages.map(expected),
      });
    }
  });

  it('parses streams of near-identical heads exactly like one fresh parser per request', () => {
    // Heads that differ only in their last bytes, are prefixes of each other or end in
    // whitespace, cycling through more of them than the parser caches: a cached head must only
    // ever be reused for a byte-identical head.
    const heads = [
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1',
      'POST /echo/xy HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1',
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:12',
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:2',
      'POST /echo/x HTTP/1.0\r\nLibprocess-From: s@127.0.0.1:1',
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nX-A: 1',
      'POST /echo/x HTTP/1.1\r\nLibprocess-From: s@127.0.0.1:1\r\nX-A: 1\t',
      'GET /echo/x HTTP/1.1\r\nX-A: 1 ',
    ];
    for (let round = 0; round < 200; round++) {
      const seed = BASE_SEED + 20_000 + round;
      const random = prng(seed);
      const requests = Array.from({ length: 40 }, () => {
        const head = pick(random, heads.slice(0, 2 + (round % 7)));
        const body = randomBody(random, 300);
        const chunked = random() < 0.5 && head.includes('HTTP/1.1');
        return Buffer.from(
          chunked
            ? `${head}\r\nTransfer-Encoding: chunked\r\n\r\n` +
                (body.length > 0
                  ? `${body.length.toString(16)}\r\n${body.toString('latin1')}\r\n`
                  : '') +
                '0\r\n\r\n'
            : `${head}\r\nContent-Length: ${body.length}\r\n\r\n${body.toString('latin1')}`,
          'latin1',
        );
      });
      const reference = requests.map((bytes) => {
        const { requests: parsed, errors } = feed([bytes]);
        expect({ seed, errors }).toEqual({ seed, errors: [] });
        return parsed[0];
      });
      const stream = Buffer.concat(requests);
      const pieces = randomSplit(stream, random, Math.floor(random() * 20));
      const { requests: parsed, errors } = feed(pieces);
      expect({ seed, errors }).toEqual({ seed, errors: [] });
      const describe = (r: WireRequest) => [
        r.method,
        r.path,
        r.version,
        { ...r.headers },
        r.from?.toString(),
        r.body.toString('hex'),
      ];
      expect({ seed, parsed: parsed.map(describe) }).toEqual({
        seed,
        parsed: reference.map(describe),
      });
      // The message sink sees the same stream, messages without a request object.
      expect({ seed, sunk: feedWithSink(pieces) }).toEqual({
        seed,
        sunk: reference.map((r) => [
          r.method === 'POST' ? 'message' : 'request',
          r.path,
          String(r.from),
          r.body.toString('hex'),
        ]),
      });
    }
  });

  it('survives 10,000 malformed inputs: no throw, one typed error at most, valid prefix kept', () => {
    const limits: WireLimits = {
      ...DEFAULT_WIRE_LIMITS,
      maxHeaderBytes: 2048,
      maxHeaderCount: 20,
      maxBodyBytes: 100_000,
    };
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let round = 0; round < 10_000; round++) {
      const seed = BASE_SEED * 31 + round;
      const random = prng(seed);
      const messages = randomMessages(
        random,
        1 + Math.floor(random() * 4),
        2000,
      );
      let stream = Buffer.concat(messages.map((m) => m.bytes));
      // The first offset where the input differs from the valid stream.
      let firstChange = stream.length;
      const mutations = 1 + Math.floor(random() * 4);
      for (let i = 0; i < mutations; i++) {
        const at = Math.floor(random() * (stream.length + 1));
        const kind = random();
        if (kind < 0.02) {
          stream = Buffer.from(
            Array.from({ length: Math.floor(random() * 400) }, () =>
              Math.floor(random() * 256),
            ),
          );
          firstChange = 0;
          continue;
        }
        if (kind < 0.35) {
          const copy = Buffer.from(stream);
          if (at < copy.length)
            copy[at] = pick(random, [
              0,
              10,
              13,
              32,
              58,
              59,
              48,
              102,
              0x7f,
              0xff,
              Math.floor(random() * 256),
            ]);
          stream = copy;
        } else if (kind < 0.55) {
          const insert = Buffer.from(
            pick(random, [
              '\r\n',
              ':',
              ' ',
              '\r\n\r\n',
              'Content-Length: 5\r\n',
              'Transfer-Encoding: chunked\r\n',
              '\n',
              'ffffffff\r\n',
              '\0',
              'X'.repeat(3000),
            ]),
            'latin1',
          );
          stream = Buffer.concat([
            stream.subarray(0, at),
            insert,
            stream.subarray(at),
          ]);
        } else if (kind < 0.75) {
          const length = 1 + Math.floor(random() * 20);
          stream = Buffer.concat([
            stream.subarray(0, at),
            stream.subarray(at + length),
          ]);
        } else if (kind < 0.9) {
          stream = stream.subarray(0, at);
        } else {
          const from = Math.floor(random() * stream.length);
          stream = Buffer.concat([
            stream.subarray(0, at),
            stream.subarray(from, from + 50),
            stream.subarray(at),
          ]);
        }
        firstChange = Math.min(firstChange, at);
      }
      const pieces = randomSplit(stream, random, Math.floor(random() * 30));
      let result: ReturnType<typeof feed>;
      try {
        result = feed(pieces, limits);
      } catch (error) {
        failures.push(`seed ${seed}: threw ${String(error)}`);
        continue;
      }
      const { requests, errors } = result;
      if (errors.length > 1)
        failures.push(`seed ${seed}: ${errors.length} errors`);
      for (const error of errors) {
        const status = (error as RequestParseError).status;
        if (
          !(error instanceof RequestParseError) ||
          ![400, 413, 431].includes(status)
        ) {
          failures.push(`seed ${seed}: unexpected error ${String(error)}`);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      // Messages that ended before the first change are delivered unchanged and in order.
      let end = 0;
      const intact: string[] = [];
      for (const message of messages) {
        end += message.bytes.length;
        if (end > firstChange) break;
        intact.push(expected(message).join(' '));
      }
      const delivered = requests
        .slice(0, intact.length)
        .map((r) => summary(r).join(' '));
      if (delivered.join('\n') !== intact.join('\n')) {
        failures.push(`seed ${seed}: valid prefix not delivered intact`);
      }
    }
    // Checked once at the end: one expect() per case would make the run many times slower.
    expect(failures).toEqual([]);
    // The mutations must actually reach every rejection path.
    expect([...statuses.keys()].sort()).toEqual([400, 413, 431]);
  });
});
