import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import {
  BindError,
  WIRE_ENV,
  WireNode,
  type WireNodeOptions,
} from '../../lib/wire/index.js';

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
