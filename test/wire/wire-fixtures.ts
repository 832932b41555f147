/**
 * Request bytes in the three dialects of ../shared/peers/README.md (sections 5 and 6), with
 * the values a parser must extract from them.
 */
export interface DialectMessage {
  bytes: Buffer;
  from: string;
  to: string;
  name: string;
  body: Buffer;
}

export type Dialect = 'libprocess' | 'compactor' | 'compactor-ua' | 'mesos-go';

export const DIALECTS: readonly Dialect[] = [
  'libprocess',
  'compactor',
  'compactor-ua',
  'mesos-go',
];

/** Encodes one message the way the given peer implementation writes it. */
export function dialectMessage(
  dialect: Dialect,
  from: string,
  to: string,
  name: string,
  body: Buffer,
): DialectMessage {
  const [id, address] = to.split('@');
  let head: string;
  let framed: Buffer;
  switch (dialect) {
    case 'libprocess':
      head =
        `POST /${id}/${name} HTTP/1.1\r\nUser-Agent: libprocess/${from}\r\n` +
        `Libprocess-From: ${from}\r\nConnection: Keep-Alive\r\nHost: ${address}\r\n`;
      framed =
        body.length === 0
          ? Buffer.from(`${head}\r\n`, 'latin1')
          : Buffer.concat([
              Buffer.from(
                `${head}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`,
                'latin1',
              ),
              body,
              Buffer.from('\r\n0\r\n\r\n', 'latin1'),
            ]);
      break;
    case 'compactor':
    case 'compactor-ua':
      head =
        `POST /${id}/${name} HTTP/1.0\r\nConnection: Keep-Alive\r\n` +
        `Content-Length: ${body.length}\r\n` +
        (dialect === 'compactor'
          ? `Libprocess-From: ${from}\r\n\r\n`
          : `User-Agent: libprocess/${from}\r\n\r\n`);
      framed = Buffer.concat([Buffer.from(head, 'latin1'), body]);
      break;
    case 'mesos-go':
      head =
        `POST /${id}/${name} HTTP/1.1\r\nHost: ${address}\r\n` +
        `User-Agent: Go-http-client/1.1\r\nContent-Length: ${body.length}\r\n` +
        `Connection: Keep-Alive\r\nContent-Type: application/x-protobuf\r\n` +
        `Libprocess-From: ${from}\r\nAccept-Encoding: gzip\r\n\r\n`;
      framed = Buffer.concat([Buffer.from(head, 'latin1'), body]);
      break;
  }
  return { bytes: framed, from, to, name, body };
}

/** The answer a node writes for every accepted message, as a raw client reads it. */
export const ACCEPTED = 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n';

/** A message as C++ libprocess writes it, for raw-socket tests (any target is accepted). */
export const libprocessMessage = (name: string, body = ''): Buffer =>
  dialectMessage(
    'libprocess',
    's@127.0.0.1:1',
    'echo@127.0.0.1:2',
    name,
    Buffer.from(body),
  ).bytes;

/** Deterministic PRNG (mulberry32) so that a failing fuzz case can be replayed by its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into pieces at random offsets (each piece at least one byte). */
export function randomSplit(
  bytes: Buffer,
  random: () => number,
  cuts: number,
): Buffer[] {
  const offsets = new Set<number>();
  for (let i = 0; i < cuts; i++) {
    offsets.add(1 + Math.floor(random() * Math.max(1, bytes.length - 1)));
  }
  const sorted = [...offsets]
    .filter((o) => o < bytes.length)
    .sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const offset of sorted) {
    pieces.push(bytes.subarray(start, offset));
    start = offset;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}
