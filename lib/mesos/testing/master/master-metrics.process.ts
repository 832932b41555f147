import { Process, Route } from '../../../index.js';
import { MasterProcess } from './master.process.js';

/**
 * Process `metrics` of the master's node: `GET /metrics/snapshot`, as libprocess' metrics
 * process serves it on a real master, with the counters the simulator keeps (named as Mesos
 * names them).
 */
@Process('metrics')
export class MasterMetricsProcess {
  constructor(private readonly master: MasterProcess) {}

  @Route('snapshot', { methods: ['GET'] })
  snapshot(): Record<string, number> {
    return this.master.metricsSnapshot();
  }
}
