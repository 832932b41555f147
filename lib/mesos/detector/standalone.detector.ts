import { lookup } from 'node:dns/promises';
import { request } from 'node:http';
import { isIP } from 'node:net';
import { Logger } from '@nestjs/common';

import { Upid } from '../../wire/upid.js';
import { MASTER_PROCESS_ID } from '../mesos.constants.js';
import type { MasterInfo } from '../mesos.types.js';
import type { MasterDetector } from './master-detector.interface.js';
import { masterInfoOf, parseMasterInfoJson } from './master-info.js';

const STATE_TIMEOUT_MS = 5000;
/** A non-leader redirects once; more hops mean a loop between confused masters. */
const MAX_REDIRECTS = 5;

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

function get(host: string, port: number, path: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, agent: false, timeout: STATE_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`no answer within ${STATE_TIMEOUT_MS} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** `Location: //host:port/master/state` (Mesos' protocol-relative redirect) or an absolute URL. */
function redirectTarget(
  location: string,
): { host: string; port: number; path: string } | undefined {
  try {
    const url = new URL(location, 'http://placeholder');
    if (url.hostname === 'placeholder') return undefined;
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      path: `${url.pathname}${url.search}`,
    };
  } catch {
    return undefined;
  }
}

/**
 * A master given as `host:port` (libmesos' `StandaloneMasterDetector`), made HA-safe: it asks
 * `GET /master/state` and follows a non-leading master's `307 Temporary Redirect` to the leader,
 * whose `leader`/`leader_info` name the pid to subscribe to. A non-leader drops libprocess messages
 * without a word, so subscribing to the address as given would wait forever.
 *
 * Answers:
 * - the leader's pid from the state (after any redirects);
 * - `undefined` when the master answers that no leader is elected (503, or a state without one);
 * - the address as given when it does not serve the state (an unreachable master: the driver
 *   links to it, the link fails and detection runs again; or a libprocess peer without HTTP).
 */
export class StandaloneMasterDetector implements MasterDetector {
  private readonly logger = new Logger('MasterDetector');

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  get description(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async detect(): Promise<MasterInfo | undefined> {
    let host = this.host;
    let port = this.port;
    let path = '/master/state';
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let answer: HttpAnswer;
      try {
        answer = await get(host, port, path);
      } catch (error) {
        this.logger.debug(
          `GET http://${host}:${port}${path}: ${(error as Error).message}`,
        );
        return this.asGiven(host, port);
      }
      if (answer.status === 307 || answer.status === 302) {
        const target = answer.location && redirectTarget(answer.location);
        if (!target) {
          this.logger.warn(
            `${host}:${port} redirected to an unusable location ${JSON.stringify(answer.location)}`,
          );
          return undefined;
        }
        this.logger.debug(
          `${host}:${port} is not the leader: redirected to ${target.host}:${target.port}`,
        );
        ({ host, port, path } = target);
        continue;
      }
      if (answer.status === 503) return undefined; // "No leader elected"
      if (answer.status !== 200) return this.asGiven(host, port);
      let state: { leader?: unknown; leader_info?: unknown };
      try {
        state = JSON.parse(answer.body) as typeof state;
      } catch {
        return this.asGiven(host, port);
      }
      if (state.leader_info && typeof state.leader_info === 'object') {
        const info = parseMasterInfoJson(JSON.stringify(state.leader_info));
        if (info) return info;
      }
      if (typeof state.leader === 'string') {
        try {
          return masterInfoOf(Upid.parse(state.leader));
        } catch {
          this.logger.warn(`Unusable leader ${JSON.stringify(state.leader)}`);
        }
      }
      return undefined; // A master that knows no leader yet.
    }
    this.logger.warn(
      `More than ${MAX_REDIRECTS} redirects from ${this.description}`,
    );
    return undefined;
  }

  onChange(): void {
    // A fixed address notices nothing by itself: the driver detects again when the link breaks.
  }

  async close(): Promise<void> {}

  /** A master pid carries an IP (masters send from it): resolve a hostname. */
  private async asGiven(
    host: string,
    port: number,
  ): Promise<MasterInfo | undefined> {
    let ip = host;
    if (isIP(host) === 0) {
      try {
        ({ address: ip } = await lookup(host, { family: 4 }));
      } catch (error) {
        this.logger.warn(`Cannot resolve ${host}: ${(error as Error).message}`);
        return undefined;
      }
    }
    return masterInfoOf(new Upid(MASTER_PROCESS_ID, ip, port));
  }
}
