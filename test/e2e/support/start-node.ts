import type { INestMicroservice, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import {
  ActorModule,
  type ActorModuleOptions,
  ActorRef,
  LibprocessServer,
  type Upid,
  type WireNode,
} from '../../../lib/index.js';

/** A Nest microservice on 127.0.0.1:0 with ActorModule and the given providers. */
export interface TestNode {
  app: INestMicroservice;
  server: LibprocessServer;
  actors: ActorRef;
  /** The pid of process `id` on this node. */
  pid(id: string): Upid;
  get<T>(token: new (...args: any[]) => T): T;
}

export async function startNode(
  metadata: ModuleMetadata,
  options: ActorModuleOptions = {},
): Promise<TestNode> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [
      ActorModule.forRoot({ ip: '127.0.0.1', port: 0, ...options }),
      ...(metadata.imports ?? []),
    ],
  }).compile();
  const server = moduleRef.get(LibprocessServer);
  const app = moduleRef.createNestMicroservice({
    strategy: server,
    // Handler failures are part of some tests; keep the output for real problems.
    logger: ['error'],
  });
  await app.listen();
  return {
    app,
    server,
    actors: app.get(ActorRef),
    pid: (id) => server.unwrap<WireNode>().pid(id),
    get: (token) => app.get(token),
  };
}
