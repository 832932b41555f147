import { Injectable } from '@nestjs/common';

import { ProcessManager } from '../runtime/process-manager.js';

/**
 * The shape of a @nestjs/terminus `HealthIndicatorResult` (declared here so that the library
 * does not need terminus installed).
 *
 * @publicApi
 */
export type LibprocessHealthResult<Key extends string = string> = Record<
  Key,
  {
    status: 'up' | 'down';
    address?: string;
    processes: number;
    links: number;
  }
>;

/**
 * A @nestjs/terminus indicator: `up` with the node address, process and link counts while
 * the node listens, `down` otherwise.
 *
 * ```ts
 * this.health.check([() => this.libprocess.isHealthy('libprocess')]);
 * ```
 *
 * @publicApi
 */
@Injectable()
export class LibprocessHealthIndicator {
  constructor(private readonly processManager: ProcessManager) {}

  isHealthy<Key extends string = 'libprocess'>(
    key: Key = 'libprocess' as Key,
  ): LibprocessHealthResult<Key> {
    const manager = this.processManager;
    const node = manager.wireNode;
    let processes = 0;
    let links = 0;
    for (const record of manager.records()) {
      processes++;
      links += manager.linksOf(record).length;
    }
    if (!manager.isStarted || node === undefined || !node.listening) {
      return {
        [key]: { status: 'down', processes, links },
      } as LibprocessHealthResult<Key>;
    }
    const { ip, port } = node.address;
    return {
      [key]: { status: 'up', address: `${ip}:${port}`, processes, links },
    } as LibprocessHealthResult<Key>;
  }
}
