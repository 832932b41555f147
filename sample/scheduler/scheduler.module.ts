import { type DynamicModule, Module } from '@nestjs/common';
import { ActorModule } from '../../lib/index.js';
import { loadMesosProtos, MESOS_CONVERSION } from '../../lib/mesos/index.js';
import { RUN_OUTPUT, RunReporter, type RunOutput } from './run-report.js';
import { SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler.config.js';
import { SchedulerProcess } from './scheduler.process.js';
import { SchedulerService } from './scheduler.service.js';
import { TaskRegistry } from './task-registry.js';

/**
 * A Mesos framework scheduler as a Nest module: a libprocess node (ActorModule) with the
 * `scheduler-<uuid>` process, its state machine and the run's reporting.
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerConfig, output?: RunOutput): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ActorModule.forRoot({
          ip: config.ip,
          port: config.port ?? 0,
          advertiseIp: config.advertiseIp,
          protobuf: { root: loadMesosProtos(), conversion: MESOS_CONVERSION },
        }),
      ],
      providers: [
        { provide: SCHEDULER_CONFIG, useValue: config },
        ...(output ? [{ provide: RUN_OUTPUT, useValue: output }] : []),
        TaskRegistry,
        RunReporter,
        SchedulerService,
        SchedulerProcess,
      ],
      exports: [SchedulerService],
    };
  }
}
