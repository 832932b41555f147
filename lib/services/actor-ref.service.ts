import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { ActorExplorer } from '../actor.explorer.js';
import { DEFAULT_ASK_TIMEOUT } from '../actor.constants.js';
import { NotListeningError } from '../errors/not-listening.error.js';
import type {
  AskOptions,
  AskReply,
  DelayHandle,
  ProcessRef,
  ProtoAskOptions,
  ProtoAskReply,
  ProtoSendOptions,
  SendOptions,
  TerminateOptions,
} from '../interfaces/actor-ref-options.interface.js';
import type { ProtobufTypeRef } from '../interfaces/protobuf-type.interface.js';
import type { ProcessRecord } from '../runtime/process-record.js';
import { ProcessManager } from '../runtime/process-manager.js';
import { ProtobufRegistry } from '../runtime/protobuf.registry.js';
import type { Upid } from '../wire/upid.js';
import type {
  MessageBody,
  MethodKeys,
  MethodOf,
  WithMethod,
} from './actor-ref.types.js';
import { ProcessResolver } from './process-resolver.js';
import { TimedCalls } from './timed-calls.js';

export type { MessageBody } from './actor-ref.types.js';

/**
 * Talks to processes: send messages (local sends never touch a socket), link, spawn and
 * terminate processes at runtime, run methods on a process' queue (`dispatch`, `delay`),
 * and `ask` for a reply.
 *
 * The sender of `send`, `sendProto`, `link` and `unlink` defaults to the process whose
 * handler runs (also after an `await` in an `async` handler); elsewhere (timers of other
 * origin, outside any process) pass `{ from: this }`, or use `delay` / `periodic`.
 *
 * @publicApi
 */
@Injectable()
export class ActorRef implements OnApplicationShutdown {
  /** Names to pids and records: every "no such process" / "no sender" error comes from it. */
  private readonly resolver: ProcessResolver;
  private readonly timed: TimedCalls;

  constructor(
    private readonly processManager: ProcessManager,
    private readonly actorExplorer: ActorExplorer,
    private readonly protobufRegistry: ProtobufRegistry,
  ) {
    this.resolver = new ProcessResolver(processManager);
    this.timed = new TimedCalls(processManager);
  }

  /** The pid of a process instance (a `@Process()` provider or a spawned instance). */
  self(instance: object): Upid {
    const record = this.resolver.recordOf(instance);
    if (record.pid === undefined) throw new NotListeningError('get a pid');
    return record.pid;
  }

  /** Sends the message `name` with `body` to `to`. Never throws for network failures. */
  send(
    to: Upid | string,
    name: string,
    body?: MessageBody,
    options?: SendOptions,
  ): void {
    this.processManager.send(
      this.resolver.senderOf(options?.from),
      this.resolver.toUpid(to),
      name,
      body,
    );
  }

  /**
   * Sends a protobuf message; its name is the type's full name (or `options.name`).
   * @param type a full type name, a protobufjs `Type` or a static generated class
   * @param message a plain object (converted with `fromObject`) or a message instance
   */
  sendProto(
    to: Upid | string,
    type: ProtobufTypeRef,
    message: object,
    options?: ProtoSendOptions,
  ): void;
  /** Sends a protobuf message instance (reflection `Message` or static class instance). */
  sendProto(
    to: Upid | string,
    message: object,
    options?: ProtoSendOptions,
  ): void;
  sendProto(
    to: Upid | string,
    typeOrMessage: ProtobufTypeRef | object,
    messageOrOptions?: object,
    options?: ProtoSendOptions,
  ): void {
    // A message instance carries its type; anything else names one.
    const ofInstance =
      typeof typeOrMessage === 'object'
        ? this.protobufRegistry.resolveMessage(typeOrMessage)
        : undefined;
    const codec =
      ofInstance ??
      this.protobufRegistry.resolve(typeOrMessage as ProtobufTypeRef);
    const message = ofInstance ? typeOrMessage : messageOrOptions;
    const sendOptions = ofInstance
      ? (messageOrOptions as ProtoSendOptions | undefined)
      : options;
    this.processManager.send(
      this.resolver.senderOf(sendOptions?.from),
      this.resolver.toUpid(to),
      sendOptions?.name ?? codec.name,
      codec.encode(message),
    );
  }

  /**
   * Sends a protobuf request and resolves with the next reply of type `options.reply` from
   * `to`, decoded (the protobuf counterpart of `ask()`).
   * @throws AskTimeoutError (rejected) when no reply came within `timeoutMs`
   */
  askProto<T = unknown>(
    to: Upid | string,
    type: ProtobufTypeRef,
    message: object,
    options: ProtoAskOptions,
  ): Promise<ProtoAskReply<T>> {
    let body: Uint8Array;
    let name: string;
    let replyCodec: ReturnType<ProtobufRegistry['resolve']>;
    try {
      const codec = this.protobufRegistry.resolve(type);
      replyCodec = this.protobufRegistry.resolve(options.reply);
      body = codec.encode(message);
      name = options.name ?? codec.name;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.ask(to, name, body, {
      reply: options.replyName ?? replyCodec.name,
      timeoutMs: options.timeoutMs,
      from: options.from,
    }).then((reply) => ({
      ...reply,
      message: replyCodec.decode(reply.body) as T,
    }));
  }

  /**
   * Links the sending process to `to`: its `@OnExited()` runs once when `to` goes away
   * (its node's connection closes or cannot be opened, or, locally, it terminates).
   */
  link(to: Upid | string, options?: SendOptions): void {
    this.processManager.link(
      this.resolver.senderRecord(options?.from),
      this.resolver.toUpid(to),
    );
  }

  unlink(to: Upid | string, options?: SendOptions): void {
    this.processManager.unlink(
      this.resolver.senderRecord(options?.from),
      this.resolver.toUpid(to),
    );
  }

  /** The pids a process linked to. */
  links(process: ProcessRef): Upid[] {
    return this.processManager.linksOf(this.resolver.targetRecord(process));
  }

  /**
   * Makes `instance` a process at runtime; its `@Mailbox()`, `@OnInitialize()` and other
   * decorated methods work as on a provider (Nest enhancers bound at module level do not
   * apply, global ones do). Without `id` it gets a unique `base(N)`, `base` being the
   * `@Process()` id of its class or the class name.
   */
  spawn(instance: object, id?: string): Upid {
    if (!this.processManager.isStarted) throw new NotListeningError('spawn()');
    return this.actorExplorer.addProcess(instance, id).pid!;
  }

  /**
   * Removes a local process. Queued messages are dropped and pending dispatches reject
   * (with `{ drain: true }` what is already queued runs first); local processes linked to
   * it get `@OnExited()`. libprocess sends no exit notice over the wire: remote processes
   * linked to it only see their socket to this node close (which happens when the node
   * shuts down), and their messages to it are answered 404. Resolves once it is gone.
   */
  terminate(process: ProcessRef, options?: TerminateOptions): Promise<void> {
    let record: ProcessRecord;
    try {
      record = this.resolver.targetRecord(process);
    } catch (error) {
      return Promise.reject(error);
    }
    if (options?.drain === true) {
      return this.processManager.terminateAfterQueue(record);
    }
    this.processManager.terminate(record);
    return Promise.resolve();
  }

  /** Runs `method(...args)` on the process' queue; resolves with its (awaited) result. */
  dispatch<T extends object, K extends MethodKeys<T>>(
    process: T,
    method: K,
    ...args: Parameters<MethodOf<T, K>>
  ): Promise<Awaited<ReturnType<MethodOf<T, K>>>>;
  /** `dispatch(this, 'method', ...args)` inside the process class. */
  dispatch<K extends string, A extends unknown[]>(
    process: WithMethod<K, A>,
    method: K,
    ...args: A
  ): Promise<unknown>;
  dispatch<R = unknown>(
    process: Upid | string,
    method: string,
    ...args: unknown[]
  ): Promise<R>;
  dispatch(
    process: ProcessRef,
    method: string,
    ...args: unknown[]
  ): Promise<unknown> {
    let record: ProcessRecord;
    try {
      record = this.resolver.targetRecord(process);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.processManager.dispatch(record, method, args);
  }

  /**
   * Dispatches `method(...args)` to the process after `ms`. Returns a handle to cancel it;
   * pending delays are cancelled on shutdown. Name it with `DelayRegistry.addDelay()`.
   */
  delay<T extends object, K extends MethodKeys<T>>(
    ms: number,
    process: T,
    method: K,
    ...args: Parameters<MethodOf<T, K>>
  ): DelayHandle;
  /** `delay(ms, this, 'method', ...args)` inside the process class. */
  delay<K extends string, A extends unknown[]>(
    ms: number,
    process: WithMethod<K, A>,
    method: K,
    ...args: A
  ): DelayHandle;
  delay(
    ms: number,
    process: Upid | string,
    method: string,
    ...args: unknown[]
  ): DelayHandle;
  delay(
    ms: number,
    process: ProcessRef,
    method: string,
    ...args: unknown[]
  ): DelayHandle {
    return this.timed.delay(
      ms,
      this.resolver.targetRecord(process),
      method,
      args,
    );
  }

  /**
   * Dispatches `method(...args)` to the process every `ms`, each time `ms` after the
   * previous call finished (so calls never pile up), like libprocess' and pulsar's periodic
   * tasks; the process is the sender of what the method sends. Returns a handle to stop it;
   * it stops by itself when the process terminates, and on shutdown.
   */
  periodic<T extends object, K extends MethodKeys<T>>(
    ms: number,
    process: T,
    method: K,
    ...args: Parameters<MethodOf<T, K>>
  ): DelayHandle;
  /** `periodic(ms, this, 'method', ...args)` inside the process class. */
  periodic<K extends string, A extends unknown[]>(
    ms: number,
    process: WithMethod<K, A>,
    method: K,
    ...args: A
  ): DelayHandle;
  periodic(
    ms: number,
    process: Upid | string,
    method: string,
    ...args: unknown[]
  ): DelayHandle;
  periodic(
    ms: number,
    process: ProcessRef,
    method: string,
    ...args: unknown[]
  ): DelayHandle {
    return this.timed.periodic(
      ms,
      this.resolver.targetRecord(process),
      method,
      args,
    );
  }

  /**
   * Sends `name` to `to` and resolves with the next message named `options.reply` that `to`
   * sends back (e.g. ping -> pong with any libprocess peer).
   * @throws AskTimeoutError (rejected) when no reply came within `timeoutMs`
   */
  ask(
    to: Upid | string,
    name: string,
    body: MessageBody | undefined,
    options: AskOptions,
  ): Promise<AskReply> {
    let from: ProcessRecord | null;
    let target: Upid;
    try {
      from =
        options.from === undefined
          ? null
          : this.resolver.senderRecord(options.from);
      target = this.resolver.toUpid(to);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.processManager.ask(
      from,
      target,
      name,
      body,
      options.reply,
      options.timeoutMs ?? DEFAULT_ASK_TIMEOUT,
    );
  }

  onApplicationShutdown(): void {
    this.processManager.cancelTimers();
  }
}
