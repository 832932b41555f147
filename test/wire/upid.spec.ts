import { describe, expect, it } from '@jest/globals';

import { InvalidUpidError, Upid } from '../../lib/wire/index.js';

describe('Upid', () => {
  it.each([
    ['master@10.0.0.1:5050', 'master', '10.0.0.1', 5050, '10.0.0.1:5050'],
    [
      'slave(1)@127.0.0.1:5051',
      'slave(1)',
      '127.0.0.1',
      5051,
      '127.0.0.1:5051',
    ],
    [
      'scheduler-3f2a_b.c@mesos-master.example.com:0',
      'scheduler-3f2a_b.c',
      'mesos-master.example.com',
      0,
      'mesos-master.example.com:0',
    ],
    ['echo@[::1]:65535', 'echo', '::1', 65535, '[::1]:65535'],
    ['e@[fe80::1:2]:1', 'e', 'fe80::1:2', 1, '[fe80::1:2]:1'],
    ['e@localhost:80', 'e', 'localhost', 80, 'localhost:80'],
  ])('parses %s', (text, id, host, port, address) => {
    const pid = Upid.parse(text);
    expect(pid.id).toBe(id);
    expect(pid.host).toBe(host);
    expect(pid.port).toBe(port);
    expect(pid.address).toBe(address);
    expect(pid.toString()).toBe(text);
    expect(String(pid)).toBe(text);
  });

  it.each([
    ['', 'expected id@host:port'],
    ['echo', 'expected id@host:port'],
    ['@127.0.0.1:5050', 'expected id@host:port'],
    ['echo@127.0.0.1', 'missing ":port"'],
    ['echo@127.0.0.1:', 'port'],
    ['echo@127.0.0.1:65536', 'port'],
    ['echo@127.0.0.1:-1', 'port'],
    ['echo@127.0.0.1:5x', 'port'],
    ['echo@:5050', 'host is empty'],
    ['ec ho@127.0.0.1:5050', 'id'],
    ['ec/ho@127.0.0.1:5050', 'id'],
    ['a@b@127.0.0.1:5050', 'hostname'],
    ['echo@256.0.0.1:5050', 'IPv4'],
    ['echo@1.2.3:5050', 'IPv4'],
    ['echo@::1:5050', 'brackets'],
    ['echo@[::g]:5050', 'IPv6'],
    ['echo@[127.0.0.1]:5050', 'IPv6'],
    ['echo@host..name:5050', 'hostname'],
    ['echo@-host:5050', 'hostname'],
  ])('rejects %j with a typed error quoting it', (text, reason) => {
    let caught: unknown;
    try {
      Upid.parse(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidUpidError);
    const error = caught as InvalidUpidError;
    expect(error.value).toBe(text);
    expect(error.message).toContain(JSON.stringify(text));
    expect(error.message).toContain(reason);
  });

  it('validates in the constructor and accepts bracketed or bare IPv6 hosts', () => {
    expect(new Upid('a', '[::1]', 1).toString()).toBe('a@[::1]:1');
    expect(new Upid('a', '::1', 1).address).toBe('[::1]:1');
    expect(() => new Upid('a b', '127.0.0.1', 1)).toThrow(InvalidUpidError);
    expect(() => new Upid('a', '127.0.0.1', 70000)).toThrow(InvalidUpidError);
    expect(() => new Upid('a', '127.0.0.1', 1.5)).toThrow(InvalidUpidError);
    expect(() => new Upid('a', '', 1)).toThrow(InvalidUpidError);
  });

  it('validates every host even right after a valid pid on the same host', () => {
    for (const host of ['foo', '127.0.0.1', 'a.example']) {
      expect(new Upid('a', host, 1).host).toBe(host);
      expect(new Upid('b', host, 2).address).toBe(`${host}:2`);
      // The same bare host, bracketed: only an IPv6 address may be.
      expect(() => new Upid('a', `[${host}]`, 1)).toThrow(InvalidUpidError);
    }
    expect(() => new Upid('a', undefined as never, 1)).toThrow(
      InvalidUpidError,
    );
    expect(() => new Upid('a', '', 1)).toThrow(InvalidUpidError);
    expect(new Upid('c', '::1', 3).toString()).toBe('c@[::1]:3');
    expect(new Upid('c', '[::1]', 3).toString()).toBe('c@[::1]:3');
  });

  it('has value equality and is usable as a map key', () => {
    const a = Upid.parse('echo@127.0.0.1:5050');
    const b = new Upid('echo', '127.0.0.1', 5050);
    expect(a).not.toBe(b);
    expect(a.equals(b)).toBe(true);
    expect(a.equals('echo@127.0.0.1:5050')).toBe(true);
    expect(a.equals('echo@127.0.0.1:5051')).toBe(false);
    expect(a.equals('not a pid')).toBe(false);
    const map = new Map([[a.toString(), 1]]);
    expect(map.get(b.toString())).toBe(1);
    expect(JSON.stringify({ pid: a })).toBe('{"pid":"echo@127.0.0.1:5050"}');
  });
});
