import { Injectable } from '@nestjs/common';

import { ProcessManager } from '../runtime/process-manager.js';
import { Upid } from '../wire/upid.js';

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
    /** The `linkedTo` pids no local process is linked to (any more). */
    missingLinks?: string[];
  }
>;

/**
 * Options of `LibprocessHealthIndicator.isHealthy()`.
 *
 * @publicApi
 */
export interface LibprocessHealthOptions {
  /**
   * Pids some local process must be linked to (e.g. the leading master): the check is
   * `down` once such a link exited, as terminus' ping checks are once their peer is gone.
   */
  linkedTo?: ReadonlyArray<Upid | string>;
}

/**
 * A @nestjs/terminus indicator: `up` with the node address, process and link counts while
 * the node listens (and every `linkedTo` link is established), `down` otherwise.
 *
 * ```ts
 * this.health.check([
 *   () => this.libprocess.isHealthy('libprocess', { linkedTo: [masterPid] }),
 * ]);
 * ```
 *
 * @publicApi
 */
@Injectable()
export class LibprocessHealthIndicator {
  constructor(private readonly processManager: ProcessManager) {}

  isHealthy<Key extends string = 'libprocess'>(
    key: Key = 'libprocess' as Key,
    options: LibprocessHealthOptions = {},
  ): LibprocessHealthResult<Key> {
    const manager = this.processManager;
    const node = manager.wireNode;
    let processes = 0;
    const linked = new Set<string>();
    let links = 0;
    for (const record of manager.records()) {
      processes++;
      for (const pid of manager.linksOf(record)) {
        links++;
        linked.add(String(pid));
      }
    }
    const missingLinks = (options.linkedTo ?? [])
      .map((pid) => String(pid instanceof Upid ? pid : Upid.parse(pid)))
      .filter((pid) => !linked.has(pid));
    const missing = missingLinks.length > 0 ? { missingLinks } : {};
    if (!manager.isStarted || node === undefined || !node.listening) {
      return {
        [key]: { status: 'down', processes, links, ...missing },
      } as LibprocessHealthResult<Key>;
    }
    const { ip, port } = node.address;
    return {
      [key]: {
        status: missingLinks.length > 0 ? 'down' : 'up',
        address: `${ip}:${port}`,
        processes,
        links,
        ...missing,
      },
    } as LibprocessHealthResult<Key>;
  }
}
