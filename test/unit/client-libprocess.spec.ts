import { describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';

import {
  type ActorRef,
  LibprocessClient,
  RequestResponseUnsupportedError,
  Upid,
} from '../../lib/index.js';

/** Records what the client hands to ActorRef.send(). */
class RecordingActorRef {
  readonly sent: unknown[][] = [];
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
}

describe('LibprocessClient', () => {
  const from = new Upid('me', '127.0.0.1', 1);

  function create(): { client: LibprocessClient; ref: RecordingActorRef } {
    const ref = new RecordingActorRef();
    const client = new LibprocessClient({
      actorRef: ref as unknown as ActorRef,
      from,
    });
    return { client, ref };
  }

  it('emits "<pid>/<name>" and { to, name } patterns through ActorRef.send()', async () => {
    const { client, ref } = create();
    await firstValueFrom(client.emit('echo@127.0.0.1:5050/ping', 'a'), {
      defaultValue: undefined,
    });
    const to = new Upid('echo', '127.0.0.1', 5050);
    await firstValueFrom(client.emit({ to, name: 'json' }, { n: 1 }), {
      defaultValue: undefined,
    });
    expect(ref.sent).toEqual([
      ['echo@127.0.0.1:5050', 'ping', 'a', { from }],
      [to, 'json', '{"n":1}', { from }],
    ]);
  });

  it('turns the data into the body with the serializer of its options', async () => {
    const ref = new RecordingActorRef();
    const seen: unknown[] = [];
    const client = new LibprocessClient({
      actorRef: ref as unknown as ActorRef,
      from,
      serializer: {
        serialize: (value: unknown, options?: Record<string, unknown>) => {
          seen.push(options?.pattern);
          return Buffer.from(`<${JSON.stringify(value)}>`);
        },
      },
    });
    await firstValueFrom(client.emit('echo@127.0.0.1:5050/ping', { n: 2 }), {
      defaultValue: undefined,
    });
    expect(ref.sent).toEqual([
      ['echo@127.0.0.1:5050', 'ping', Buffer.from('<{"n":2}>'), { from }],
    ]);
    expect(seen).toEqual(['echo@127.0.0.1:5050/ping']);
  });

  it('rejects invalid patterns and request-response', async () => {
    const { client } = create();
    await expect(firstValueFrom(client.emit('no-name', 'x'))).rejects.toThrow(
      /Invalid libprocess pattern "no-name"/,
    );
    await expect(firstValueFrom(client.send('a@b:1/c', 'x'))).rejects.toThrow(
      RequestResponseUnsupportedError,
    );
    await expect(firstValueFrom(client.send('a@b:1/c', 'x'))).rejects.toThrow(
      /Use emit\(\), or ActorRef\.ask/,
    );
  });

  it('needs an ActorRef', () => {
    expect(() => new LibprocessClient({} as never)).toThrow(
      /needs \{ actorRef \}/,
    );
  });
});
