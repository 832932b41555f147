import type {
  INestMicroservice,
  LoggerService,
  LogLevel,
  ModuleMetadata,
  Type as ClassType,
} from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

import { ActorModule } from '../actor.module.js';
import type { ActorModuleOptions } from '../interfaces/actor-module-options.interface.js';
import { LibprocessServer } from '../server/server-libprocess.js';
import { ActorRef } from '../services/actor-ref.service.js';
import type { Upid } from '../wire/upid.js';
import type { WireNode } from '../wire/wire-node.js';
import {
  type InterceptedMessage,
  type MessageDrop,
  MessageInterceptor,
} from './message-interceptor.js';
import {
  type MessageFilter,
  type MessageName,
  messageNameOf,
} from './message-matcher.js';
import { Probe, type ProbeOptions } from './probe.js';

/**
 * Options of {@link createTestingNode}.
 *
 * @publicApi
 */
export interface TestingNodeOptions {
  /**
   * `ActorModule.forRoot()` options; the node listens on `127.0.0.1` port 0 unless they say
   * otherwise. `false` when the modules under test import `ActorModule` themselves (then they
   * decide the address: give them port 0).
   */
  actor?: ActorModuleOptions | false;
  /** Adjusts the testing module before it compiles (`overrideProvider()` and the like). */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** The Nest logger of the microservice (default: errors and warnings only). */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * A Nest microservice with `ActorModule` on a free loopback port, built from a test's module
 * metadata, with Mesos-style message interception and probes. Create it with
 * {@link createTestingNode}; close it in `afterEach`.
 *
 * @publicApi
 */
export class TestingNode {
  private readonly probes: Probe[] = [];
  private closed = false;

  /** @internal */
  constructor(
    /** The running microservice. */
    readonly app: INestMicroservice,
    private readonly interceptor: MessageInterceptor,
  ) {}

  /** The transport strategy (status, events, the underlying `WireNode`). */
  get server(): LibprocessServer {
    return this.app.get(LibprocessServer);
  }

  /** The node's `ActorRef`, to send, link, dispatch and delay as the processes do. */
  get actors(): ActorRef {
    return this.app.get(ActorRef);
  }

  /** The address the node listens on. */
  get address(): { ip: string; port: number } {
    return this.server.unwrap<WireNode>().address;
  }

  /** The pid of process `id` on this node. */
  pid(id: string): Upid {
    return this.server.unwrap<WireNode>().pid(id);
  }

  /** A provider (a process instance, a service) of the node. */
  get<T>(token: ClassType<T> | string | symbol): T {
    return this.app.get<T>(token as ClassType<T>);
  }

  /**
   * Starts a {@link Probe}: a process on its own wire node that records every message it
   * receives. It is closed with this node.
   */
  async createProbe(options: ProbeOptions | string = {}): Promise<Probe> {
    const probe = await Probe.start(
      typeof options === 'string' ? { id: options } : options,
    );
    this.probes.push(probe);
    return probe;
  }

  /**
   * Mesos' `FUTURE_MESSAGE(name, from, to)`: resolves with the next message named `name`
   * (from and to a process of this node as filtered) once its handler has run. Call it before
   * the message can arrive.
   */
  futureMessage(
    name: MessageName,
    filter: MessageFilter = {},
  ): Promise<InterceptedMessage> {
    return this.interceptor.future(messageNameOf(name), filter);
  }

  /**
   * Mesos' `DROP_MESSAGE`: the next matching message to a process of this node is dropped
   * (its handler never runs); resolves with it.
   */
  dropMessage(
    name: MessageName,
    filter: MessageFilter = {},
  ): Promise<InterceptedMessage> {
    return this.interceptor.dropOne(messageNameOf(name), filter);
  }

  /** Mesos' `DROP_MESSAGES`: every matching message is dropped until `stop()`. */
  dropMessages(name: MessageName, filter: MessageFilter = {}): MessageDrop {
    return this.interceptor.dropAll(messageNameOf(name), filter);
  }

  /**
   * Closes the probes, then the application (queues drained within the grace period).
   * Expectations still waiting reject. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.interceptor.close();
    await Promise.all(this.probes.splice(0).map((probe) => probe.close()));
    await this.app.close();
  }
}

/**
 * Compiles a testing module from `metadata` with `ActorModule.forRoot({ ip: '127.0.0.1',
 * port: 0 })` imported (unless `options.actor` is `false`), and starts it as a libprocess
 * microservice.
 *
 * @publicApi
 */
export async function createTestingNode(
  metadata: ModuleMetadata,
  options: TestingNodeOptions = {},
): Promise<TestingNode> {
  const actorModule =
    options.actor === false
      ? []
      : [ActorModule.forRoot({ ip: '127.0.0.1', port: 0, ...options.actor })];
  let builder = Test.createTestingModule({
    ...metadata,
    imports: [...actorModule, ...(metadata.imports ?? [])],
  });
  if (options.configure) builder = options.configure(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestMicroservice({
    strategy: moduleRef.get(LibprocessServer),
    logger: options.logger ?? ['error', 'warn'],
  });
  const interceptor = new MessageInterceptor();
  // Before listen(): mailboxes are bound with the app's global enhancers at startup.
  app.useGlobalInterceptors(interceptor);
  try {
    await app.listen();
  } catch (error) {
    await app.close();
    throw error;
  }
  return new TestingNode(app, interceptor);
}
