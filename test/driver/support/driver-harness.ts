import type { INestMicroservice, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ActorModule, LibprocessServer } from '../../../lib/index.js';
import {
  MesosScheduler,
  MesosSchedulerModule,
  SchedulerDriver,
  type SchedulerDriverOptions,
} from '../../../lib/mesos/index.js';
import type {
  ExecutorID,
  FrameworkID,
  InverseOffer,
  MasterInfo,
  Offer,
  OfferID,
  SlaveID,
  TaskStatus,
} from '../../../lib/mesos/index.js';

/** Every callback, recorded in order; tests react through `on`. */
@MesosScheduler()
export class RecordingScheduler implements MesosScheduler {
  readonly events: Array<{ name: string; args: unknown[] }> = [];
  readonly statuses: TaskStatus[] = [];
  readonly offers: Offer[] = [];
  errors: string[] = [];
  /** Optional reactions of a test, called after recording. */
  on: Partial<Record<string, (...args: any[]) => unknown>> = {};

  private record(name: string, ...args: unknown[]): unknown {
    this.events.push({ name, args });
    return this.on[name]?.(...args);
  }

  count(name: string): number {
    return this.events.filter((event) => event.name === name).length;
  }

  registered(frameworkId: FrameworkID, masterInfo: MasterInfo) {
    this.record('registered', frameworkId, masterInfo);
  }
  reregistered(masterInfo: MasterInfo) {
    this.record('reregistered', masterInfo);
  }
  disconnected() {
    this.record('disconnected');
  }
  resourceOffers(offers: Offer[]) {
    this.offers.push(...offers);
    this.record('resourceOffers', offers);
  }
  inverseOffers(offers: InverseOffer[]) {
    this.record('inverseOffers', offers);
  }
  offerRescinded(offerId: OfferID) {
    this.record('offerRescinded', offerId);
  }
  inverseOfferRescinded(offerId: OfferID) {
    this.record('inverseOfferRescinded', offerId);
  }
  statusUpdate(status: TaskStatus) {
    this.statuses.push(status);
    return this.record('statusUpdate', status) as void | Promise<void>;
  }
  frameworkMessage(executorId: ExecutorID, slaveId: SlaveID, data: Buffer) {
    this.record('frameworkMessage', executorId, slaveId, data);
  }
  slaveLost(slaveId: SlaveID) {
    this.record('slaveLost', slaveId);
  }
  executorLost(executorId: ExecutorID, slaveId: SlaveID, status: number) {
    this.record('executorLost', executorId, slaveId, status);
  }
  error(message: string) {
    this.errors.push(message);
    this.record('error', message);
  }
}

/** A scheduler app: a libprocess node on 127.0.0.1 with the driver and a RecordingScheduler. */
export async function startDriverApp(
  options: Omit<SchedulerDriverOptions, 'framework'> & {
    framework?: SchedulerDriverOptions['framework'];
  },
  scheduler: Type<unknown> = RecordingScheduler,
): Promise<{
  app: INestMicroservice;
  driver: SchedulerDriver;
  scheduler: RecordingScheduler;
}> {
  @Module({
    imports: [
      ActorModule.forRoot({ ip: '127.0.0.1', port: 0 }),
      MesosSchedulerModule.forRoot({
        registrationBackoffMs: 100,
        ...options,
        framework: options.framework ?? {
          name: 'driver-e2e',
          failover_timeout: 60,
        },
      }),
    ],
    providers: [scheduler],
  })
  class DriverTestModule {}

  const app = await NestFactory.createMicroservice(DriverTestModule, {
    inject: [LibprocessServer],
    useFactory: (server: LibprocessServer) => ({ strategy: server }),
    logger: process.env.DRIVER_TEST_LOGS ? undefined : false,
  });
  await app.listen();
  return {
    app,
    driver: app.get(SchedulerDriver),
    scheduler: app.get(scheduler) as RecordingScheduler,
  };
}
