import { afterEach, describe, expect, it } from '@jest/globals';
import { type INestMicroservice, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ActorModule,
  ActorRef,
  LibprocessContext,
  Process,
  ProtobufMailbox,
} from '../../lib/index.js';
import { MesosMessage, taskStateName } from '../../lib/mesos/index.js';
import { loadMesosProtos } from '../../lib/mesos/index.js';
import type {
  Call,
  FrameworkRegisteredMessage,
  Offer,
  ResourceOffersMessage,
  StatusUpdateMessage,
} from '../../lib/mesos/index.js';
import { createActorApp, startSimulator } from '../../sample/run-sample.js';
import { waitFor } from '../support/wait-for.js';
import { closeAll } from './sample-test.helpers.js';

interface Received {
  name: string;
  from: string;
  body: any;
}

/** A bare-bones framework that records what the master sends and answers only when told to. */
@Process('probe')
class ProbeProcess {
  readonly inbox: Received[] = [];

  private record(name: string, body: unknown, ctx: LibprocessContext): void {
    this.inbox.push({ name, from: ctx.from.toString(), body });
  }

  @ProtobufMailbox(MesosMessage.FrameworkRegistered)
  registered(
    @Payload() body: FrameworkRegisteredMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.record('registered', body, ctx);
  }

  @ProtobufMailbox(MesosMessage.FrameworkReregistered)
  reregistered(
    @Payload() body: FrameworkRegisteredMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.record('reregistered', body, ctx);
  }

  @ProtobufMailbox(MesosMessage.ResourceOffers)
  offers(
    @Payload() body: ResourceOffersMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.record('offers', body, ctx);
  }

  @ProtobufMailbox(MesosMessage.RescindResourceOffer)
  rescind(@Payload() body: unknown, @Ctx() ctx: LibprocessContext): void {
    this.record('rescind', body, ctx);
  }

  @ProtobufMailbox(MesosMessage.StatusUpdate)
  update(
    @Payload() body: StatusUpdateMessage,
    @Ctx() ctx: LibprocessContext,
  ): void {
    this.record('update', body, ctx);
  }
}

@Module({
  imports: [
    ActorModule.forRoot({
      ip: '127.0.0.1',
      port: 0,
      protobuf: { root: loadMesosProtos() },
    }),
  ],
  providers: [ProbeProcess],
})
class ProbeModule {}

/** The simulator's master-side semantics, seen from a framework that misbehaves on purpose. */
describe('master simulator', () => {
  const apps: INestMicroservice[] = [];

  afterEach(async () => {
    await closeAll(apps.splice(0).reverse());
  });

  async function setup(statusUpdateRetryMs?: number) {
    const sim = await startSimulator({ statusUpdateRetryMs }, false);
    apps.push(sim.app);
    const app = await createActorApp(ProbeModule, false);
    apps.push(app);
    const probe = app.get(ProbeProcess);
    const actors = app.get(ActorRef);
    const call = (message: Call) =>
      actors.sendProto(sim.master, MesosMessage.Call, message, { from: probe });
    const received = (name: string) =>
      probe.inbox.filter((m) => m.name === name);
    const subscribe = (frameworkId?: string) =>
      call({
        type: 'SUBSCRIBE',
        ...(frameworkId && { framework_id: { value: frameworkId } }),
        subscribe: {
          framework_info: {
            user: 'probe',
            name: 'probe',
            failover_timeout: 30,
            ...(frameworkId && { id: { value: frameworkId } }),
          },
        },
      });
    return { sim, probe, call, received, subscribe };
  }

  async function firstOffer(
    received: (name: string) => Received[],
  ): Promise<Offer> {
    await waitFor(() => received('offers').length > 0, 15_000, 'an offer');
    return (received('offers')[0].body as ResourceOffersMessage).offers![0];
  }

  it("holds a task's next update until the current one is acknowledged, re-sending it meanwhile", async () => {
    const { sim, call, received, subscribe } = await setup(200);
    subscribe();
    const offer = await firstOffer(received);
    const frameworkId = offer.framework_id.value;
    call({
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
                  name: 't',
                  task_id: { value: 't' },
                  slave_id: offer.slave_id,
                  resources: [
                    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
                  ],
                  command: { value: 'true' },
                },
              ],
            },
          },
        ],
      },
    });
    const updates = () =>
      received('update').map((m) => m.body as StatusUpdateMessage);
    const state = (m: StatusUpdateMessage) =>
      taskStateName(m.update.status.state);

    // Unacknowledged, TASK_STARTING comes again (same uuid), and nothing after it.
    await waitFor(
      () => updates().length >= 2,
      15_000,
      'the re-sent TASK_STARTING',
    );
    const [first, again] = updates();
    expect([state(first), state(again)]).toEqual([
      'TASK_STARTING',
      'TASK_STARTING',
    ]);
    expect(
      Buffer.from(again.update.uuid!).equals(Buffer.from(first.update.uuid!)),
    ).toBe(true);
    expect(Buffer.from(first.update.uuid!)).toHaveLength(16);
    expect(first.pid).toMatch(/^slave\(1\)@127\.0\.0\.1:\d+$/);
    expect(
      received('update').every((m) => m.from === sim.master.toString()),
    ).toBe(true);

    const acknowledge = (m: StatusUpdateMessage) =>
      call({
        framework_id: { value: frameworkId },
        type: 'ACKNOWLEDGE',
        acknowledge: {
          slave_id: m.update.slave_id!,
          task_id: m.update.status.task_id,
          uuid: m.update.uuid!,
        },
      });
    acknowledge(first);
    await waitFor(
      () => updates().some((m) => state(m) === 'TASK_RUNNING'),
      15_000,
      'TASK_RUNNING',
    );
    const running = updates().find((m) => state(m) === 'TASK_RUNNING')!;
    expect(
      Buffer.from(running.update.uuid!).equals(Buffer.from(first.update.uuid!)),
    ).toBe(false);
    acknowledge(running);
    await waitFor(
      () => updates().some((m) => state(m) === 'TASK_FINISHED'),
      15_000,
      'TASK_FINISHED',
    );
  });

  it('rescinds outstanding offers and answers FrameworkReregisteredMessage when a framework re-subscribes', async () => {
    const { received, subscribe } = await setup();
    subscribe();
    const offer = await firstOffer(received);

    subscribe(offer.framework_id.value);

    await waitFor(
      () => received('reregistered').length > 0,
      15_000,
      're-registration',
    );
    expect(received('rescind').map((m) => m.body.offer_id.value)).toEqual([
      offer.id.value,
    ]);
    expect(received('registered')).toHaveLength(1);
  });
});
