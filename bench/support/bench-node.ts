import 'reflect-metadata';
import type { INestMicroservice, Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import {
  ActorModule,
  type ActorModuleOptions,
  ActorRef,
  LibprocessServer,
  type WireNode,
} from '../../lib/index.js';

/** A started libprocess node (standalone Nest microservice) for in-process benchmarks. */
export interface BenchNode {
  app: INestMicroservice;
  actors: ActorRef;
  wire: WireNode;
  close(): Promise<void>;
}

/** Starts a node on 127.0.0.1:0 hosting `providers`, bootstrapped as an application would. */
export async function startBenchNode(
  providers: Provider[],
  options: ActorModuleOptions = {},
): Promise<BenchNode> {
  const app = await NestFactory.createMicroservice(
    {
      module: class BenchModule {},
      imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0, ...options })],
      providers,
    },
    {
      inject: [LibprocessServer],
      useFactory: (strategy: LibprocessServer) => ({ strategy }),
      logger: ['error', 'warn'],
    },
  );
  await app.listen();
  const wire = app.get(LibprocessServer).unwrap<WireNode>();
  return { app, actors: app.get(ActorRef), wire, close: () => app.close() };
}

/** A promise resolved by `count()` once it has been called `target` times. */
export class Countdown {
  private remaining = 0;
  private resolve: (() => void) | null = null;

  arm(target: number): Promise<void> {
    this.remaining = target;
    return new Promise((resolve) => (this.resolve = resolve));
  }

  count(): void {
    if (--this.remaining === 0) this.resolve?.();
  }
}
