import { type DynamicModule, Module } from '@nestjs/common';
import type { Root } from 'protobufjs';
import { ActorModule } from '../../../index.js';
import { loadMesosProtos, MESOS_CONVERSION } from '../../mesos-protos.js';

/**
 * The libprocess node of the simulated agents: its `slave(N)` processes are spawned once it
 * listens (see `MesosSimulator`), so that the master can restart without killing the tasks.
 */
@Module({})
export class MesosAgentsModule {
  static forRoot(options: {
    ip: string;
    port?: number;
    root?: Root;
  }): DynamicModule {
    return {
      module: MesosAgentsModule,
      imports: [
        ActorModule.forRoot({
          ip: options.ip,
          port: options.port ?? 0,
          protobuf: {
            root: options.root ?? loadMesosProtos(),
            conversion: MESOS_CONVERSION,
          },
        }),
      ],
    };
  }
}
