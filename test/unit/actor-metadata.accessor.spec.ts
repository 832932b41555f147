import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';

import { ActorMetadataAccessor } from '../../lib/actor-metadata.accessor.js';
import {
  Mailbox,
  OnExited,
  OnInitialize,
  OnLinked,
  Process,
  ProtobufMailbox,
  Route,
} from '../../lib/index.js';

@Process({ id: 'scheduler' })
class Scheduler {
  @Mailbox('ping') ping(): void {}
  @ProtobufMailbox('mesos.internal.Ping', 'PING') proto(): void {}
  @OnExited() exited(): void {}
  @OnLinked() linked(): void {}
  @OnInitialize() init(): void {}
  @Route('/state', { methods: ['get'] }) state(): void {}
  plain(): void {}
}

describe('ActorMetadataAccessor', () => {
  const accessor = new ActorMetadataAccessor(new Reflector());
  const proto = Scheduler.prototype;

  it('reads @Process() from the class', () => {
    expect(accessor.isProcess(Scheduler)).toBe(true);
    expect(accessor.getProcessMetadata(Scheduler)).toEqual({ id: 'scheduler' });
    expect(accessor.isProcess(class NotAProcess {})).toBe(false);
  });

  it('reads the method decorators', () => {
    expect(accessor.getMailboxMetadata(proto.ping)).toEqual({ name: 'ping' });
    expect(accessor.getMailboxMetadata(proto.proto)).toEqual({
      name: 'PING',
      protobuf: 'mesos.internal.Ping',
    });
    expect(accessor.isOnExited(proto.exited)).toBe(true);
    expect(accessor.isOnLinked(proto.linked)).toBe(true);
    expect(accessor.isOnInitialize(proto.init)).toBe(true);
    expect(accessor.getRouteMetadata(proto.state)).toEqual({
      path: 'state',
      methods: ['GET'],
    });
    expect(accessor.getMailboxMetadata(proto.plain)).toBeUndefined();
    expect(accessor.isOnExited(proto.plain)).toBe(false);
  });
});
