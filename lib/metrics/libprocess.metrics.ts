import { Injectable } from '@nestjs/common';

import { ProcessManager } from '../runtime/process-manager.js';
import {
  flattenMetrics,
  type RuntimeMetrics,
} from '../runtime/runtime-metrics.js';

/**
 * The node's metrics, as `GET /metrics/snapshot` serves them on the libprocess port: message
 * counters per process and in total, event queue depths, connections and link exits. Feed
 * them to Prometheus with {@link registerLibprocessMetrics}.
 *
 * @publicApi
 */
@Injectable()
export class LibprocessMetrics {
  constructor(private readonly processManager: ProcessManager) {}

  /** The metrics, structured (what the Prometheus bridge reads). */
  collect(): RuntimeMetrics {
    return this.processManager.metrics();
  }

  /** The `GET /metrics/snapshot` body: flat `libprocess/...` and `<process id>/...` keys. */
  snapshot(): Record<string, number> {
    return flattenMetrics(this.collect());
  }
}
