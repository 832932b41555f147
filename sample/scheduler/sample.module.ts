import { type DynamicModule, Module } from '@nestjs/common';
import { ActorModule } from 'nestjs-libprocess';
import {
  MesosSchedulerModule,
  type SchedulerDriverOptions,
} from 'nestjs-libprocess/mesos';
import { RUN_OUTPUT, RunReporter, type RunOutput } from './run-report.js';
import { SAMPLE_CONFIG, type SampleConfig } from './sample.config.js';
import { SampleScheduler } from './sample.scheduler.js';
import { TaskRegistry } from './task-registry.js';
import { TaskStateStore } from './task-state.store.js';

/** Where the scheduler's libprocess node listens and what it advertises. */
export interface SampleNodeOptions {
  ip?: string;
  port?: number;
  advertiseIp?: string;
}

/**
 * The sample framework as a Nest module: a libprocess node (ActorModule), the scheduler driver
 * (MesosSchedulerModule) and the framework's logic (SampleScheduler, its callbacks).
 */
@Module({})
export class SampleModule {
  static forRoot(
    node: SampleNodeOptions,
    driver: SchedulerDriverOptions,
    config: SampleConfig,
    output?: RunOutput,
  ): DynamicModule {
    return {
      module: SampleModule,
      imports: [
        ActorModule.forRoot({
          ip: node.ip,
          port: node.port ?? 0,
          advertiseIp: node.advertiseIp,
        }),
        MesosSchedulerModule.forRoot(driver),
      ],
      providers: [
        { provide: SAMPLE_CONFIG, useValue: config },
        ...(output ? [{ provide: RUN_OUTPUT, useValue: output }] : []),
        TaskRegistry,
        TaskStateStore,
        RunReporter,
        SampleScheduler,
      ],
      exports: [SampleScheduler],
    };
  }
}
