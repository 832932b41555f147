/**
 * The reference peers' mesos-go scheme bodies, `{ required string value = 1 }`, encoded and
 * decoded by hand (`0x0a <varint length> <bytes>`), independently of protobufjs, so tests can
 * check what the library puts on the wire and read what the peers send.
 */
export function encodeValueMessage(value: Buffer): Buffer {
  const length: number[] = [];
  let n = value.length;
  do {
    length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x0a, ...length]), value]);
}

export function decodeValueMessage(body: Buffer): Buffer {
  if (body[0] !== 0x0a)
    throw new Error(
      `not a { 1: string } message: ${body.subarray(0, 8).toString('hex')}`,
    );
  let length = 0;
  let shift = 0;
  let i = 1;
  for (;;) {
    const byte = body[i++];
    length += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  return body.subarray(i, i + length);
}
