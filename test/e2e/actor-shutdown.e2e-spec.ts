import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';

import { Mailbox, Process } from '../../lib/index.js';
import { spyOnLogger } from '../support/logger-spy.js';
import {
  STARTUP_TIMEOUT_MS,
  SpawnedProcess,
} from '../support/spawned-process.js';
import {
  transpiledSourcesRoot,
  transpiledUrl,
} from '../support/transpiled-sources.js';
import { waitFor } from '../support/wait-for.js';
import { startNode } from './support/start-node.js';

@Process('slow')
@Injectable()
class Slow {
  readonly handled: number[] = [];
  /** The last handler call (the one still running when close() gave up, if any). */
  lastRun: Promise<void> = Promise.resolve();

  @Mailbox('work')
  work(@Payload() body: Buffer): Promise<void> {
    this.lastRun = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      this.handled.push(Number(body.toString()));
    })();
    return this.lastRun;
  }
}

@Process('feeder')
@Injectable()
class Feeder {}

describe('ActorModule shutdown', () => {
  it('drains every queued message before close() resolves', async () => {
    const node = await startNode(
      { providers: [Slow, Feeder] },
      { shutdownGracePeriod: 10_000 },
    );
    const slow = node.get(Slow);
    const feeder = node.get(Feeder);
    for (let i = 0; i < 300; i++) {
      node.actors.send(node.pid('slow'), 'work', String(i), { from: feeder });
    }
    await waitFor(() => slow.handled.length > 0, 5000, 'the first message');
    await node.app.close();
    expect(slow.handled).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('drops what does not run within the grace period and still closes', async () => {
    const node = await startNode(
      { providers: [Slow, Feeder] },
      { shutdownGracePeriod: 20 },
    );
    const slow = node.get(Slow);
    const warn = spyOnLogger('warn');
    try {
      for (let i = 0; i < 10_000; i++) {
        node.actors.send(node.pid('slow'), 'work', String(i), {
          from: node.get(Feeder),
        });
      }
      await node.app.close();
      // The handler that was running when the grace period ended finishes; nothing after.
      await slow.lastRun;
      const line = warn
        .messages()
        .map(String)
        .find((message) => message.startsWith('Dropped '));
      const dropped = Number(/^Dropped (\d+) queued/.exec(line ?? '')?.[1]);
      expect(dropped).toBeGreaterThan(0);
      // Every message either ran or was dropped (and counted), none both.
      expect(slow.handled.length + dropped).toBe(10_000);
      expect(slow.handled).toEqual(
        Array.from({ length: slow.handled.length }, (_, i) => i),
      );
    } finally {
      warn.restore();
    }
  });

  it(
    'leaves no handle behind: the Node process exits by itself after app.close()',
    async () => {
      const lib = transpiledUrl('lib/index.js');
      const script = `
      import 'reflect-metadata';
      import { Injectable, Module } from '@nestjs/common';
      import { NestFactory } from '@nestjs/core';
      import { ActorModule, ActorRef, LibprocessServer, Mailbox, OnInitialize, Process } from '${lib}';

      class Pinger {
        constructor(actors) { this.actors = actors; }
        init(self) {
          // A pending delay and a pending ask at close time, due long after the test gave up:
          // left pending, either would keep the process alive.
          this.actors.delay(3_600_000, this, 'tick');
          this.actors.ask(self, 'ping', 'x', { reply: 'never', timeoutMs: 3_600_000 }).catch(() => {});
          process.stdout.write('initialized\\n');
        }
        ping() {}
        tick() {}
      }
      Reflect.decorate([OnInitialize()], Pinger.prototype, 'init', Object.getOwnPropertyDescriptor(Pinger.prototype, 'init'));
      Reflect.decorate([Mailbox('ping')], Pinger.prototype, 'ping', Object.getOwnPropertyDescriptor(Pinger.prototype, 'ping'));
      Reflect.decorate([Process('pinger'), Injectable(), Reflect.metadata('design:paramtypes', [ActorRef])], Pinger);
      class AppModule {}
      Reflect.decorate([Module({ imports: [ActorModule.forRoot({ ip: '127.0.0.1', port: 0 })], providers: [Pinger] })], AppModule);

      const app = await NestFactory.createMicroservice(AppModule, {
        inject: [LibprocessServer], useFactory: (server) => ({ strategy: server }), logger: ['error'],
      });
      await app.listen();
      // A peer node in the same process, so that the link has a live socket.
      const peer = await NestFactory.createMicroservice(AppModule, {
        inject: [LibprocessServer], useFactory: (server) => ({ strategy: server }), logger: ['error'],
      });
      await peer.listen();
      // An outbound link socket at close time.
      const peerPid = peer.get(LibprocessServer).unwrap().pid('pinger');
      const linked = new Promise((resolve) => app.get(LibprocessServer).on('linked', resolve));
      app.get(ActorRef).link(peerPid, { from: app.get(Pinger) });
      await linked;
      if (app.get(ActorRef).links(app.get(Pinger)).length !== 1) throw new Error('no link');
      await app.close();
      await peer.close();
      process.stdout.write('closed\\n');
    `;
      const child = SpawnedProcess.start(
        'node with a closed app',
        process.execPath,
        ['--input-type=module', '-e', script],
        undefined,
        transpiledSourcesRoot(),
      );
      try {
        // The wait ends with the exit itself; its timeout only turns a hang into a failure (with
        // the child's output). A handle left open keeps the process alive for an hour.
        const status = await child.waitForExit(2 * STARTUP_TIMEOUT_MS);
        expect(child.stderr).toBe('');
        expect(child.stdout.seen).toEqual([
          'initialized',
          'initialized',
          'closed',
        ]);
        expect(status.code).toBe(0);
      } finally {
        await child.stop();
      }
    },
    3 * STARTUP_TIMEOUT_MS,
  );
});
