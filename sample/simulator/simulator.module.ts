import { type DynamicModule, Module } from '@nestjs/common';
import { ActorModule } from '../../lib/index.js';
import { loadMesosProtos } from '../../lib/mesos/index.js';
import { AgentSimulatorProcess } from './agent-simulator.process.js';
import { MasterSimulatorProcess } from './master-simulator.process.js';
import { SimulatedCluster } from './simulated-cluster.js';
import {
  SIMULATOR_OPTIONS,
  type SimulatorOptions,
} from './simulator.options.js';

/**
 * The embedded local Mesos "cluster" of `--master local`: a libprocess node with a simulated
 * `master` and one simulated agent `slave(1)`. A test double for trying the sample and testing
 * schedulers offline; it is not Mesos (see {@link MasterSimulatorProcess}).
 */
@Module({})
export class SimulatorModule {
  static forRoot(options: SimulatorOptions = {}): DynamicModule {
    return {
      module: SimulatorModule,
      imports: [
        ActorModule.forRoot({
          ip: options.ip ?? '127.0.0.1',
          port: options.port ?? 0,
          protobuf: { root: loadMesosProtos() },
        }),
      ],
      providers: [
        { provide: SIMULATOR_OPTIONS, useValue: options },
        SimulatedCluster,
        MasterSimulatorProcess,
        AgentSimulatorProcess,
      ],
      exports: [MasterSimulatorProcess],
    };
  }
}
