import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  BindError,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_SHUTDOWN_GRACE_PERIOD,
  DEFAULT_WIRE_IP,
  DEFAULT_WIRE_LIMITS,
  WIRE_ENV,
  WireNode,
  type WireNodeOptions,
} from '../../lib/wire/index.js';
import {
  resolveWireAddresses,
  resolveWireNodeOptions,
} from '../../lib/wire/wire-node.options.js';

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const name of Object.values(WIRE_ENV)) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});

const nodes: WireNode[] = [];
afterEach(async () => {
  for (const name of Object.values(WIRE_ENV)) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

function create(options: WireNodeOptions = {}): WireNode {
  const node = new WireNode(options, { onMessage: () => true });
  nodes.push(node);
  return node;
}

async function bindError(node: WireNode): Promise<BindError> {
  const error = await node.listen().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BindError);
  return error as BindError;
}

describe('WireNode options', () => {
  it('binds 127.0.0.1 on an ephemeral port by default', async () => {
    const node = create();
    await node.listen();
    expect(node.address.ip).toBe('127.0.0.1');
    expect(node.address.port).toBeGreaterThan(0);
  });

  it('takes its defaults from the LIBPROCESS_* environment variables', async () => {
    process.env.LIBPROCESS_IP = '127.0.0.1';
    process.env.LIBPROCESS_PORT = '0';
    process.env.LIBPROCESS_ADVERTISE_IP = 'mesos.example.com';
    process.env.LIBPROCESS_ADVERTISE_PORT = '5050';
    const node = create();
    await node.listen();
    expect(node.address).toEqual({ ip: 'mesos.example.com', port: 5050 });
    expect(node.pid('master').toString()).toBe('master@mesos.example.com:5050');
  });

  it('lets explicit options win over the environment', async () => {
    process.env.LIBPROCESS_IP = '0.0.0.0';
    process.env.LIBPROCESS_PORT = 'not-a-port';
    process.env.LIBPROCESS_ADVERTISE_IP = '10.0.0.9';
    process.env.LIBPROCESS_ADVERTISE_PORT = '1';
    const node = create({ ip: '127.0.0.1', port: 0, advertiseIp: '127.0.0.1' });
    await node.listen();
    expect(node.address.ip).toBe('127.0.0.1');
    expect(node.address.port).toBe(1);
  });

  it('advertises a concrete address when bound to the wildcard address', async () => {
    const node = create({ ip: '0.0.0.0', port: 0 });
    await node.listen();
    expect(node.address.ip).not.toBe('0.0.0.0');
    expect(() => node.pid('x')).not.toThrow();
  });

  it('supports IPv6 loopback', async () => {
    const node = create({ ip: '::1', port: 0 });
    await node.listen();
    expect(node.pid('e').toString()).toBe(`e@[::1]:${node.address.port}`);
  });

  it('rejects an address in use with a clear message', async () => {
    const first = create();
    await first.listen();
    const error = await bindError(create({ port: first.address.port }));
    expect(error.code).toBe('EADDRINUSE');
    expect(error.message).toBe(
      `Cannot listen on 127.0.0.1:${first.address.port}: address already in use`,
    );
  });

  it('rejects a bad bind address or port, naming the setting', async () => {
    expect((await bindError(create({ ip: 'not-an-ip' }))).message).toContain(
      '"not-an-ip" (ip option): not an IPv4 or IPv6 address',
    );
    process.env.LIBPROCESS_PORT = '70000';
    expect((await bindError(create())).message).toContain(
      'port "70000" (LIBPROCESS_PORT): expected an integer 0-65535',
    );
    delete process.env.LIBPROCESS_PORT;
    expect(
      (await bindError(create({ advertiseIp: 'bad host!' }))).message,
    ).toContain('Invalid advertised address "bad host!" (advertiseIp option)');
    expect((await bindError(create({ ip: '203.0.113.7' }))).message).toContain(
      'address not available',
    );
  });

  it('listen() after close() rejects', async () => {
    const node = create();
    await node.close();
    await expect(node.listen()).rejects.toThrow('closed');
  });
});

describe('resolveWireNodeOptions / resolveWireAddresses (no sockets)', () => {
  const noInterfaces = {};
  const external = {
    lo: [{ family: 'IPv4', internal: true, address: '127.0.0.1' }],
    eth0: [
      { family: 'IPv6', internal: false, address: 'fe80::1' },
      { family: 'IPv4', internal: false, address: '192.0.2.10' },
    ],
  } as unknown as Parameters<typeof resolveWireAddresses>[1];

  it('applies defaults, then the environment, then explicit options', () => {
    const defaults = resolveWireNodeOptions({}, {});
    expect(defaults).toMatchObject({
      ip: { value: DEFAULT_WIRE_IP, source: 'default' },
      port: { value: 0, source: 'default' },
      advertiseIp: undefined,
      advertisePort: undefined,
      shutdownGracePeriod: DEFAULT_SHUTDOWN_GRACE_PERIOD,
      connectTimeout: DEFAULT_CONNECT_TIMEOUT,
    });
    expect(defaults.limits).toEqual(DEFAULT_WIRE_LIMITS);
    const env = {
      LIBPROCESS_IP: ' 10.0.0.1 ',
      LIBPROCESS_PORT: '5050',
      LIBPROCESS_ADVERTISE_IP: 'master.example.com',
      LIBPROCESS_ADVERTISE_PORT: '',
    };
    expect(resolveWireNodeOptions({}, env)).toMatchObject({
      ip: { value: '10.0.0.1', source: 'LIBPROCESS_IP' },
      port: { value: 5050, source: 'LIBPROCESS_PORT' },
      advertiseIp: {
        value: 'master.example.com',
        source: 'LIBPROCESS_ADVERTISE_IP',
      },
      // An empty variable counts as unset.
      advertisePort: undefined,
    });
    expect(
      resolveWireNodeOptions(
        { port: 1, limits: { maxBodyBytes: 9, maxHeaderCount: undefined } },
        env,
      ),
    ).toMatchObject({
      port: { value: 1, source: 'port option' },
      limits: { ...DEFAULT_WIRE_LIMITS, maxBodyBytes: 9 },
    });
  });

  it('refuses a connect timeout that is not a positive timer value', () => {
    for (const connectTimeout of [0, -1, NaN, 2 ** 31]) {
      expect(() => resolveWireNodeOptions({ connectTimeout }, {})).toThrow(
        RangeError,
      );
    }
  });

  it('advertises a concrete address for a wildcard bind, the bind address otherwise', () => {
    const addresses = (options: WireNodeOptions, interfaces = external) =>
      resolveWireAddresses(resolveWireNodeOptions(options, {}), interfaces);
    expect(addresses({ ip: '0.0.0.0' })).toEqual({
      bindIp: '0.0.0.0',
      bindPort: 0,
      advertiseIp: '192.0.2.10',
      advertisePort: undefined,
    });
    expect(addresses({ ip: '::' }, noInterfaces)).toMatchObject({
      advertiseIp: '127.0.0.1',
    });
    expect(addresses({ ip: '::1', advertisePort: 7 })).toMatchObject({
      advertiseIp: '::1',
      advertisePort: 7,
    });
  });

  it('names the bad value and the setting it came from', () => {
    const error = (options: WireNodeOptions, env = {}) => {
      const result = resolveWireAddresses(
        resolveWireNodeOptions(options, env),
        external,
      );
      expect(result).toBeInstanceOf(BindError);
      return (result as BindError).message;
    };
    expect(error({ ip: 'localhost' })).toBe(
      'Cannot listen on "localhost" (ip option): not an IPv4 or IPv6 address',
    );
    expect(error({}, { LIBPROCESS_PORT: 'x' })).toBe(
      'Cannot listen on port "x" (LIBPROCESS_PORT): expected an integer 0-65535',
    );
    expect(error({}, { LIBPROCESS_ADVERTISE_PORT: '65536' })).toContain(
      'Invalid advertised port "65536" (LIBPROCESS_ADVERTISE_PORT)',
    );
    expect(error({ advertiseIp: 'a b' })).toContain(
      'Invalid advertised address "a b" (advertiseIp option)',
    );
  });
});
