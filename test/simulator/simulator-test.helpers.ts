import type { INestMicroservice } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  LibprocessServer,
  Process,
  ProtobufMailbox,
  type Upid,
} from '../../lib/index.js';
import { MesosMessage } from '../../lib/mesos/mesos.constants.js';
import {
  loadMesosProtos,
  MESOS_CONVERSION,
} from '../../lib/mesos/mesos-protos.js';
import type {
  Call,
  Offer,
  StatusUpdateMessage,
} from '../../lib/mesos/mesos.types.js';
import {
  MesosSimulator,
  type MesosSimulatorOptions,
} from '../../lib/mesos/testing/index.js';
import { waitFor } from '../support/wait-for.js';

export { waitFor };

/** A message the probe received. */
export interface Received {
  name: string;
  from: string;
  body: any;
}

const RECORDED = [
  MesosMessage.FrameworkRegistered,
  MesosMessage.FrameworkReregistered,
  MesosMessage.ResourceOffers,
  MesosMessage.RescindResourceOffer,
  MesosMessage.StatusUpdate,
  MesosMessage.FrameworkError,
  MesosMessage.LostSlave,
  MesosMessage.ExitedExecutor,
  'mesos.internal.InverseOffersMessage',
  'mesos.internal.AuthenticationMechanismsMessage',
  'mesos.internal.AuthenticationStepMessage',
  'mesos.internal.AuthenticationCompletedMessage',
  'mesos.internal.AuthenticationFailedMessage',
  'mesos.internal.AuthenticationErrorMessage',
] as const;

/**
 * A bare framework process that records every message the master sends it and answers only
 * when a test tells it to: the simulator seen from the wire, with no driver logic in between.
 */
@Process('probe')
export class ProbeProcess {
  readonly inbox: Received[] = [];

  record(name: string, body: unknown, ctx: LibprocessContext): void {
    this.inbox.push({ name, from: ctx.from.toString(), body });
  }
}

// One mailbox method per recorded message name.
RECORDED.forEach((name, index) => {
  const method = `on${index}`;
  Object.defineProperty(ProbeProcess.prototype, method, {
    value(this: ProbeProcess, body: unknown, ctx: LibprocessContext) {
      this.record(name, body, ctx);
    },
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(
    ProbeProcess.prototype,
    method,
  )!;
  ProtobufMailbox(name)(ProbeProcess.prototype, method, descriptor);
  Payload()(ProbeProcess.prototype, method, 0);
  Ctx()(ProbeProcess.prototype, method, 1);
});

@Module({
  imports: [
    ActorModule.forRoot({
      ip: '127.0.0.1',
      port: 0,
      protobuf: { root: loadMesosProtos(), conversion: MESOS_CONVERSION },
    }),
  ],
  providers: [ProbeProcess],
})
class ProbeModule {}

export interface Probe {
  app: INestMicroservice;
  process: ProbeProcess;
  pid: Upid;
  actors: ActorRef;
  /** Sends a protobuf message from the probe. */
  send(to: Upid, type: string, message: object): void;
  /** Sends a Call to the simulator's master. */
  call(message: Partial<Call> & Record<string, unknown>): void;
  received(name: string): Received[];
  /** Resolves with the n-th (1-based) message of that name. */
  next(name: string, n?: number, timeoutMs?: number): Promise<Received>;
  subscribe(extra?: {
    frameworkId?: string;
    force?: boolean;
    capabilities?: string[];
    failoverTimeout?: number;
    principal?: string;
  }): void;
  firstOffer(): Promise<Offer>;
  updates(): StatusUpdateMessage[];
}

export async function startProbe(master: Upid): Promise<Probe> {
  const app = await NestFactory.createMicroservice(ProbeModule, {
    inject: [LibprocessServer],
    useFactory: (server: LibprocessServer) => ({ strategy: server }),
    logger: false,
  });
  await app.listen();
  const process = app.get(ProbeProcess);
  const actors = app.get(ActorRef);
  const pid = actors.self(process);
  const received = (name: string) =>
    process.inbox.filter((m) => m.name === name);
  const probe: Probe = {
    app,
    process,
    pid,
    actors,
    send: (to, type, message) =>
      actors.sendProto(to, type, message, { from: pid }),
    call: (message) =>
      actors.sendProto(master, MesosMessage.Call, message, { from: pid }),
    received,
    async next(name, n = 1, timeoutMs = 10_000) {
      await waitFor(
        () => received(name).length >= n,
        timeoutMs,
        `${n} x ${name}`,
      );
      return received(name)[n - 1];
    },
    subscribe(extra = {}) {
      probe.call({
        type: 'SUBSCRIBE',
        ...(extra.frameworkId && {
          framework_id: { value: extra.frameworkId },
        }),
        subscribe: {
          framework_info: {
            user: 'probe',
            name: 'probe',
            failover_timeout: extra.failoverTimeout ?? 30,
            ...(extra.principal && { principal: extra.principal }),
            ...(extra.frameworkId && { id: { value: extra.frameworkId } }),
            ...(extra.capabilities && {
              capabilities: extra.capabilities.map((type) => ({ type })),
            }),
          },
          ...(extra.force !== undefined && { force: extra.force }),
        },
      } as never);
    },
    async firstOffer() {
      const m = await probe.next(MesosMessage.ResourceOffers);
      return m.body.offers[0] as Offer;
    },
    updates: () =>
      received(MesosMessage.StatusUpdate).map(
        (m) => m.body as StatusUpdateMessage,
      ),
  };
  return probe;
}

/** A one-task LAUNCH call for an offer. */
export function launchCall(
  frameworkId: string,
  offer: Offer,
  taskId: string,
  command = 'true',
  cpus = 0.1,
): Record<string, unknown> {
  return {
    framework_id: { value: frameworkId },
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: taskId,
                task_id: { value: taskId },
                slave_id: offer.slave_id,
                resources: [
                  { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
                ],
                command: { value: command },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Starts a simulator and keeps track of what to close. */
export class Cluster {
  private readonly closers: Array<{ close(): Promise<unknown> }> = [];

  async simulator(
    options: MesosSimulatorOptions = {},
  ): Promise<MesosSimulator> {
    const sim = await MesosSimulator.start({
      logger: false,
      allocationIntervalMs: 50,
      ...options,
    });
    this.closers.push(sim);
    return sim;
  }

  async probe(master: Upid): Promise<Probe> {
    const probe = await startProbe(master);
    this.closers.push(probe.app);
    return probe;
  }

  async close(): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) await closer.close();
  }
}

export const stateOf = (m: StatusUpdateMessage) =>
  String(m.update?.status?.state);

/**
 * Waits `ms` to observe that something does NOT happen (no answer to a dropped message, no
 * offer after a decline). Positive conditions use {@link waitFor}.
 */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
