import { describe, expect, it } from '@jest/globals';

import {
  encodeMessage,
  isValidMessageName,
  Upid,
} from '../../lib/wire/index.js';

// Literal bytes captured from C++ libprocess (../shared/peers/README.md, section 5).
const CAPTURED_COUNT =
  'POST /echo/count HTTP/1.1\r\nUser-Agent: libprocess/sender@127.0.0.1:42421\r\n' +
  'Libprocess-From: sender@127.0.0.1:42421\r\nConnection: Keep-Alive\r\n' +
  'Host: 127.0.0.1:16003\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nxxxxx\r\n0\r\n\r\n';
const CAPTURED_REPORT =
  'POST /echo/report HTTP/1.1\r\nUser-Agent: libprocess/sender@127.0.0.1:42421\r\n' +
  'Libprocess-From: sender@127.0.0.1:42421\r\nConnection: Keep-Alive\r\n' +
  'Host: 127.0.0.1:16003\r\n\r\n';

describe('encodeMessage', () => {
  const from = Upid.parse('sender@127.0.0.1:42421');
  const to = Upid.parse('echo@127.0.0.1:16003');

  it('writes a message with a body byte for byte like C++ libprocess', () => {
    expect(encodeMessage(from, to, 'count', Buffer.from('xxxxx'))).toEqual(
      Buffer.from(CAPTURED_COUNT, 'latin1'),
    );
  });

  it('writes an empty message without body headers', () => {
    expect(encodeMessage(from, to, 'report')).toEqual(
      Buffer.from(CAPTURED_REPORT, 'latin1'),
    );
    expect(encodeMessage(from, to, 'report', new Uint8Array(0))).toEqual(
      Buffer.from(CAPTURED_REPORT, 'latin1'),
    );
  });

  it('writes the chunk size in lower-case hex and binary bodies verbatim', () => {
    const body = Buffer.alloc(300);
    for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
    const encoded = encodeMessage(from, to, 'mesos.internal.TaskID', body);
    const text = encoded.toString('latin1');
    expect(text).toContain('POST /echo/mesos.internal.TaskID HTTP/1.1\r\n');
    expect(text).toContain('\r\n\r\n12c\r\n');
    const start = encoded.indexOf('\r\n\r\n12c\r\n') + 9;
    expect(encoded.subarray(start, start + 300)).toEqual(body);
    expect(encoded.subarray(start + 300).toString('latin1')).toBe(
      '\r\n0\r\n\r\n',
    );
  });

  it('accepts the sender as a string and addresses IPv6 hosts in brackets', () => {
    const text = encodeMessage(
      'a@[::1]:1',
      Upid.parse('b@[::1]:2'),
      'ping',
    ).toString('latin1');
    expect(text).toContain('Libprocess-From: a@[::1]:1\r\n');
    expect(text).toContain('Host: [::1]:2\r\n');
  });

  it('only accepts printable names without spaces', () => {
    expect(isValidMessageName('mesos.internal.TaskID')).toBe(true);
    expect(isValidMessageName('a/b')).toBe(true);
    expect(isValidMessageName('')).toBe(false);
    expect(isValidMessageName('a b')).toBe(false);
    expect(isValidMessageName('a\r\nb')).toBe(false);
    expect(isValidMessageName('é')).toBe(false);
  });
});
