import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

import { ACTOR_MODULE_OPTIONS } from '../actor-module.definition.js';
import { LIBPROCESS_TRANSPORT } from '../actor.constants.js';
import { ActorExplorer } from '../actor.explorer.js';
import { NOT_INITIALIZED } from '../actor.messages.js';
import type { LibprocessContext } from '../ctx-host/libprocess.context.js';
import {
  type LibprocessEvents,
  LibprocessStatus,
} from '../events/libprocess.events.js';
import type { ActorModuleOptions } from '../interfaces/actor-module-options.interface.js';
import { ProcessManager } from '../runtime/process-manager.js';
import type { ProcessRecord } from '../runtime/process-record.js';
import { DEFAULT_SHUTDOWN_GRACE_PERIOD } from '../wire/wire.constants.js';
import { WireNode } from '../wire/wire-node.js';
import { MailboxInvokerFactory } from '../mailbox-invoker.factory.js';
import { registerEventPatternProcesses } from './event-pattern-processes.js';
import {
  installMicroserviceHostHook,
  MICROSERVICE_HOST,
  type MicroserviceHost,
  type MicroserviceHostAware,
} from './microservice-host.js';

/**
 * The libprocess transport strategy: one `WireNode` (listener and outbound connections) whose
 * inbound messages go to the node's processes. Get it from DI so that it shares the
 * processes of `ActorModule`:
 *
 * ```ts
 * NestFactory.createMicroservice(AppModule, {
 *   inject: [LibprocessServer],
 *   useFactory: (server: LibprocessServer) => ({ strategy: server }),
 * });
 * ```
 *
 * Controller handlers `@EventPattern<string>('<id>/<name>')` (without a transport, or with
 * `LIBPROCESS_TRANSPORT`) become the mailbox `<name>` of a process `<id>`.
 *
 * Global guards, interceptors, pipes and filters apply to the mailboxes as Nest applies them
 * to a microservice's handlers: those of `createMicroservice()` itself, and the application's
 * only with `connectMicroservice(..., { inheritAppConfig: true })`.
 *
 * @publicApi
 */
@Injectable()
export class LibprocessServer
  extends Server<LibprocessEvents, LibprocessStatus>
  implements CustomTransportStrategy, MicroserviceHostAware
{
  /** Handlers are awaited one at a time per process; their failures are logged here. */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(LibprocessServer.name);
  private node: WireNode | undefined;
  private closing: Promise<void> | undefined;
  private hasProcessingHooks = false;

  constructor(
    @Inject(ACTOR_MODULE_OPTIONS) private readonly options: ActorModuleOptions,
    private readonly processManager: ProcessManager,
    private readonly actorExplorer: ActorExplorer,
    private readonly invokerFactory: MailboxInvokerFactory,
  ) {
    super();
    installMicroserviceHostHook();
    // No serializer: message bodies are bytes (or protobuf, decoded per mailbox), and
    // handlers are called by the runtime, not through `handleEvent`.
    this.transportId = LIBPROCESS_TRANSPORT;
  }

  /** @internal Called by the microservice that runs this server, before `listen()`. */
  [MICROSERVICE_HOST](host: MicroserviceHost): void {
    this.invokerFactory.useHost(host);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    // One node per server: a second listen() (e.g. two microservices sharing the strategy)
    // reuses it.
    if (this.node !== undefined) return callback();
    const added: ProcessRecord[] = [];
    let node: WireNode | undefined;
    try {
      registerEventPatternProcesses(
        this.messageHandlers,
        this.processManager,
        (id) => this.actorExplorer.eventPatternOwner(id),
        this.logger,
        added,
      );
      node = new WireNode(
        {
          ip: this.options.ip,
          port: this.options.port,
          advertiseIp: this.options.advertiseIp,
          advertisePort: this.options.advertisePort,
          limits: this.options.limits,
          shutdownGracePeriod: this.shutdownGracePeriod,
          connectTimeout: this.options.connectTimeout,
          ssl: this.options.ssl,
        },
        {
          onMessage: this.processManager.deliverRemote,
          onHttpRequest: this.processManager.handleHttp,
        },
      );
      await node.listen();
      this.processManager.setProcessingWrapper(
        this.hasProcessingHooks ? this.runWithHooks : null,
      );
      this.processManager.start(node);
      this.node = node;
      const { ip, port } = node.address;
      this.logger.log(`libprocess node listening on ${ip}:${port}`);
      this._status$.next(LibprocessStatus.LISTENING);
      callback();
    } catch (error) {
      // Nothing of this attempt stays: a later listen() starts over and really binds.
      for (const record of added) this.processManager.terminate(record);
      if (this.processManager.isStarted) this.processManager.stop();
      if (node?.listening) await node.close();
      this._status$.next(LibprocessStatus.CLOSED);
      callback(error);
    }
  }

  /**
   * Stops the node: cancels delays, lets every process queue drain (up to the grace
   * period), then closes the listener and flushes outbound sockets (again up to the grace
   * period) and destroys what is left. Idempotent.
   */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  on<EventKey extends keyof LibprocessEvents>(
    event: EventKey,
    callback: LibprocessEvents[EventKey],
  ): void {
    this.processManager.events.on(event, callback);
  }

  /** Returns the `WireNode` (after `listen()`). */
  unwrap<T = WireNode>(): T {
    if (this.node === undefined) throw new Error(NOT_INITIALIZED());
    return this.node as T;
  }

  override setOnProcessingStartHook(
    hook: Parameters<Server['setOnProcessingStartHook']>[0],
  ): void {
    this.hasProcessingHooks = true;
    super.setOnProcessingStartHook(hook);
  }

  override setOnProcessingEndHook(
    hook: Parameters<Server['setOnProcessingEndHook']>[0],
  ): void {
    this.hasProcessingHooks = true;
    super.setOnProcessingEndHook(hook);
  }

  /** Patterns are plain `<id>/<name>` strings: skip the base class' JSON.parse attempt. */
  protected override getRouteFromPattern(pattern: string): string {
    return pattern;
  }

  private get shutdownGracePeriod(): number {
    return this.options.shutdownGracePeriod ?? DEFAULT_SHUTDOWN_GRACE_PERIOD;
  }

  private async shutdown(): Promise<void> {
    const grace = this.shutdownGracePeriod;
    // One deadline for the whole shutdown: never longer than the grace period.
    const deadline = Date.now() + grace;
    // Delays are future work: cancelled first, so that the drain converges.
    this.processManager.cancelTimers();
    if (this.node !== undefined) {
      // Nothing new is read from now on; what was read runs, or is dropped and reported.
      this.node.stopInbound();
      // Most of the time for the queues; if they do not drain, what is queued is dropped
      // and the handlers already running get most of the rest to finish.
      if (!(await this.processManager.drain((grace * 3) / 4))) {
        this.processManager.dropQueued(grace);
        await this.processManager.drain(
          Math.max(0, deadline - grace / 8 - Date.now()),
        );
      }
      // The wire answers what it read and waits for its peers' answers, in what is left.
      await this.node.close(Math.max(0, deadline - Date.now()));
    }
    this.processManager.stop(grace);
    this._status$.next(LibprocessStatus.CLOSED);
  }

  /** Tracing hooks (`setOnProcessingStartHook`) around each handler, only when set. */
  private readonly runWithHooks = (
    context: unknown,
    invoke: () => unknown,
  ): Promise<unknown> =>
    new Promise((resolve, reject) => {
      this.runWithProcessingHooks(
        context as LibprocessContext,
        async (runEndHook) => {
          try {
            const result = await invoke();
            resolve(
              isObservable(result)
                ? await lastValueFrom(result, { defaultValue: undefined })
                : result,
            );
          } catch (error) {
            reject(error);
          } finally {
            runEndHook();
          }
        },
      );
    });
}
