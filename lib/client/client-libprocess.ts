import {
  ClientProxy,
  type ReadPacket,
  type Serializer,
  type WritePacket,
} from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';

import { INVALID_CLIENT_PATTERN } from '../actor.messages.js';
import { Process } from '../decorators/process.decorator.js';
import { LibprocessError } from '../errors/libprocess.error.js';
import { RequestResponseUnsupportedError } from '../errors/request-response-unsupported.error.js';
import {
  type LibprocessEvents,
  LibprocessStatus,
} from '../events/libprocess.events.js';
import type { ProcessRef } from '../interfaces/actor-ref-options.interface.js';
import type { ActorRef } from '../services/actor-ref.service.js';
import type { Upid } from '../wire/upid.js';

/**
 * Options of `LibprocessClient`.
 *
 * @publicApi
 */
export interface LibprocessClientOptions {
  /** The app's `ActorRef` (inject it in `ClientsModule.registerAsync`). */
  actorRef: ActorRef;
  /** Sending process; default: a process `client(N)` spawned on `connect()`. */
  from?: ProcessRef;
  /**
   * Turns the data of `emit(pattern, data)` into the message body (called with the data
   * and `{ pattern }`). Its result is sent as is when it is a Buffer, Uint8Array or string,
   * else as JSON. Default: the data unchanged.
   */
  serializer?: Serializer;
}

/**
 * A `emit()`-pattern to libprocess: `'<id>@<host>:<port>/<name>'` or `{ to, name }`.
 *
 * @publicApi
 */
export type LibprocessPattern = string | { to: Upid | string; name: string };

/** The anonymous sender of a client without `from`. */
@Process('client')
class ClientSenderProcess {}

/**
 * A `ClientProxy` for `ClientsModule` users: `emit(pattern, body)` sends one libprocess
 * message through the app's `ActorRef` (`ActorRef.send()` is the faster, direct API).
 * libprocess is one-way, so `send()` fails: use `ActorRef.ask()` for request-response.
 *
 * ```ts
 * ClientsModule.registerAsync([{ name: 'MASTER', inject: [ActorRef],
 *   useFactory: (actorRef: ActorRef) => ({ customClass: LibprocessClient, options: { actorRef } }) }])
 * ```
 *
 * The data (after the optional `serializer`) is sent as is when it is a Buffer, Uint8Array
 * or string, else as JSON.
 *
 * @publicApi
 */
export class LibprocessClient extends ClientProxy<
  LibprocessEvents,
  LibprocessStatus
> {
  private sender: ProcessRef | undefined;
  private spawned: object | undefined;

  constructor(private readonly options: LibprocessClientOptions) {
    super();
    if (!options?.actorRef) {
      throw new LibprocessError(
        'LibprocessClient needs { actorRef } in its options (inject ActorRef with ClientsModule.registerAsync).',
      );
    }
    // Replies do not exist on libprocess, so there is no deserializer.
    this.initializeSerializer(options as never);
  }

  async connect(): Promise<void> {
    if (this.sender !== undefined) return;
    if (this.options.from !== undefined) {
      this.sender = this.options.from;
    } else {
      this.spawned = new ClientSenderProcess();
      this.options.actorRef.spawn(this.spawned);
      this.sender = this.spawned;
    }
    this._status$.next(LibprocessStatus.LISTENING);
  }

  async close(): Promise<void> {
    if (this.spawned !== undefined) {
      this.options.actorRef.terminate(this.spawned);
      this.spawned = undefined;
    }
    this.sender = undefined;
    this._status$.next(LibprocessStatus.CLOSED);
  }

  /** Returns the `ActorRef` it sends through. */
  unwrap<T = ActorRef>(): T {
    return this.options.actorRef as T;
  }

  override send<TResult = any, TInput = any>(
    _pattern: unknown,
    _data: TInput,
  ): Observable<TResult> {
    return throwError(() => new RequestResponseUnsupportedError());
  }

  protected publish(
    _packet: ReadPacket,
    callback: (packet: WritePacket) => void,
  ): () => void {
    callback({ err: new RequestResponseUnsupportedError(), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const { to, name } = parsePattern(packet.pattern as LibprocessPattern);
    const data: unknown = this.serializer.serialize(packet.data, {
      pattern: packet.pattern,
    });
    const body =
      typeof data === 'string' || data instanceof Uint8Array
        ? data
        : JSON.stringify(data);
    this.options.actorRef.send(to, name, body, { from: this.sender });
    return undefined as T;
  }
}

function parsePattern(pattern: LibprocessPattern): {
  to: Upid | string;
  name: string;
} {
  if (typeof pattern === 'string') {
    const slash = pattern.indexOf('/');
    if (slash > 0 && slash < pattern.length - 1) {
      return { to: pattern.slice(0, slash), name: pattern.slice(slash + 1) };
    }
  } else if (pattern && pattern.to && typeof pattern.name === 'string') {
    return pattern;
  }
  throw new LibprocessError(INVALID_CLIENT_PATTERN(pattern));
}
