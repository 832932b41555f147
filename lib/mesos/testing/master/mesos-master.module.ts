import { type DynamicModule, Module } from '@nestjs/common';
import type { Root } from 'protobufjs';
import { ActorModule } from '../../../index.js';
import { loadMesosProtos, MESOS_CONVERSION } from '../../mesos-protos.js';
import {
  MASTER_NODE_SETTINGS,
  type MasterNodeSettings,
} from './master-node.settings.js';
import { MASTER_PROCESS_ID } from '../simulator.constants.js';
import { MasterMetricsProcess } from './master-metrics.process.js';
import { MasterProcess } from './master.process.js';

/**
 * A libprocess node that is a simulated Mesos master: process `master`, whose HTTP endpoints
 * (`/master/state`...) answer on the node's port, and (with the library's `delegate` option)
 * `/state` too.
 */
@Module({})
export class MesosMasterModule {
  static forRoot(
    settings: MasterNodeSettings & { ip: string; port: number; root?: Root },
  ): DynamicModule {
    return {
      module: MesosMasterModule,
      imports: [
        ActorModule.forRoot({
          ip: settings.ip,
          port: settings.port,
          // As `process::initialize("master")`: `GET /state` (what mesos-go's standalone
          // detector polls) reaches the master's routes.
          delegate: MASTER_PROCESS_ID,
          protobuf: {
            root: settings.root ?? loadMesosProtos(),
            conversion: MESOS_CONVERSION,
          },
        }),
      ],
      providers: [
        { provide: MASTER_NODE_SETTINGS, useValue: settings },
        MasterProcess,
        MasterMetricsProcess,
      ],
      exports: [MasterProcess],
    };
  }
}
