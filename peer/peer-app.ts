import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ActorModule,
  ActorRef,
  LibprocessServer,
  Process,
} from '../lib/index.js';
import { StderrLogger } from './stderr.logger.js';

/**
 * peer/proto/peer.proto, wherever this module runs from: next to it in the sources (ts-jest),
 * or two levels up from dist/peer/ after `npm run build` (tsc does not copy .proto files).
 */
function peerProtoFile(): string {
  const candidates = ['./proto/peer.proto', '../../peer/proto/peer.proto'].map(
    (path) => fileURLToPath(new URL(path, import.meta.url)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      `peer.proto not found (looked at ${candidates.join(', ')})`,
    );
  return found;
}

/**
 * `processClass` as a process named `id`. The peer classes carry the reference peers' default
 * ids; `--name` picks another, which `@Process()` applied to a subclass gives without touching
 * the original (the subclass inherits the mailboxes and the constructor's injection metadata).
 */
export function processWithId<T>(processClass: Type<T>, id: string): Type<T> {
  const named = class extends (processClass as Type<any>) {};
  Object.defineProperty(named, 'name', { value: processClass.name });
  Process(id)(named);
  return named as Type<T>;
}

export interface PeerAppOptions {
  ip: string;
  port: number;
  verbose: boolean;
}

/** A started peer node and its one process. */
export interface PeerApp<T> {
  app: INestMicroservice;
  process: T;
  actors: ActorRef;
  /** The process' pid as `id@ip:port`. */
  pid: string;
  close(): Promise<void>;
}

/**
 * Starts a libprocess node (a standalone Nest microservice on `ActorModule`) hosting one
 * process of `processClass` named `id`, with the peer's protobuf types loaded.
 */
export async function startPeerApp<T extends object>(
  processClass: Type<T>,
  id: string,
  options: PeerAppOptions,
): Promise<PeerApp<T>> {
  const processProvider = processWithId(processClass, id);
  const app = await NestFactory.createMicroservice(
    {
      module: class PeerModule {},
      imports: [
        ActorModule.forRoot({
          ip: options.ip,
          port: options.port,
          protobuf: { files: [peerProtoFile()] },
          // A client exits right after its result line; it should not wait long on a dead peer.
          shutdownGracePeriod: 1000,
        }),
      ],
      providers: [processProvider],
    },
    {
      inject: [LibprocessServer],
      useFactory: (strategy: LibprocessServer) => ({ strategy }),
      logger: new StderrLogger(options.verbose),
      // Startup errors (a busy port) must reject here, not end the process.
      abortOnError: false,
    },
  );
  try {
    await app.listen();
  } catch (err) {
    await app.close();
    throw err;
  }
  const process = app.get(processProvider);
  const actors = app.get(ActorRef);
  return {
    app,
    process,
    actors,
    pid: actors.self(process).toString(),
    close: () => app.close(),
  };
}
