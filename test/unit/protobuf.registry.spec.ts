import { describe, expect, it } from '@jest/globals';
import { Root } from 'protobufjs';

import { UnknownProtobufTypeError } from '../../lib/index.js';
import { ProtobufRegistry } from '../../lib/runtime/protobuf.registry.js';
import { fixturePath } from '../support/paths.js';

const PROTO = fixturePath('actor-messages.proto');

describe('ProtobufRegistry', () => {
  const registry = new ProtobufRegistry({ files: [PROTO] });

  it('resolves a type by full name and round-trips plain objects', () => {
    const codec = registry.resolve('test.actor.Ping');
    expect(codec.name).toBe('test.actor.Ping');
    const bytes = codec.encode({
      value: 'v',
      sequence: '18446744073709551615',
      kind: 'LONG',
      data: Buffer.from([1, 2]),
    });
    expect(codec.decode(bytes)).toEqual({
      value: 'v',
      sequence: '-1',
      kind: 'LONG',
      data: Buffer.from([1, 2]),
    });
    expect(registry.resolve('.test.actor.Ping').name).toBe('test.actor.Ping');
    expect(registry.resolve('test.actor.Ping')).toBe(codec);
  });

  it('resolves reflection types and message instances, with custom conversion', () => {
    const root = new Root().loadSync(PROTO, { keepCase: true });
    const type = root.lookupType('test.actor.Pong');
    const custom = new ProtobufRegistry({
      root,
      conversion: {
        defaults: true,
        longs: Number,
        enums: String,
        bytes: String,
      },
    });
    expect(custom.resolve(type).name).toBe('test.actor.Pong');
    expect(custom.resolveMessage(type.create({ value: 'x' }))?.name).toBe(
      'test.actor.Pong',
    );
    expect(
      custom.resolve('test.actor.Ping').decode(Buffer.from([0x0a, 0])),
    ).toEqual({
      value: '',
      sequence: 0,
      kind: 'SHORT',
      data: '',
    });
  });

  it('throws UnknownProtobufTypeError for a type that is not loaded', () => {
    expect(() => registry.resolve('no.such.Type')).toThrow(
      UnknownProtobufTypeError,
    );
    expect(() => new ProtobufRegistry({}).resolve('test.actor.Ping')).toThrow(
      /Unknown protobuf type "test\.actor\.Ping"/,
    );
  });

  it('rejects a body that does not decode', () => {
    expect(() =>
      registry.resolve('test.actor.Ping').decode(Buffer.from([0x10, 0x01])),
    ).toThrow(/missing required 'value'/);
  });
});
