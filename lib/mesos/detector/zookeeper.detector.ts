import { Logger } from '@nestjs/common';
import zookeeper from 'node-zookeeper-client';

import type { MasterInfo } from '../mesos.types.js';
import type { MasterDetector } from './master-detector.interface.js';
import { parseMasterInfoJson } from './master-info.js';

/** The znodes Mesos masters create: ephemeral, sequential, MasterInfo as JSON. */
const MASTER_ZNODE_PREFIX = 'json.info_';
/** What a Mesos master asks for (`--zk_session_timeout`). */
const SESSION_TIMEOUT_MS = 10_000;
/** How long `detect()` waits for a first answer from ZooKeeper. */
const FIRST_ANSWER_TIMEOUT_MS = 10_000;

/** `zk://[user:pass@]h1:p1,h2:p2/path`. */
export interface ZooKeeperUrl {
  servers: string;
  path: string;
  auth?: string;
}

/** @throws Error for a malformed URL (the message says what is wrong). */
export function parseZooKeeperUrl(url: string): ZooKeeperUrl {
  const match = /^zk:\/\/(?:([^@/]+)@)?([^/@]+)(\/.*)?$/.exec(url.trim());
  if (!match) {
    throw new Error(
      `Invalid ZooKeeper URL ${JSON.stringify(url)}: expected zk://[user:pass@]host:port[,host:port...]/path`,
    );
  }
  const [, auth, servers, path = '/'] = match;
  for (const server of servers.split(',')) {
    if (
      !/^[^\s:,]+:\d{1,5}$/.test(server) &&
      !/^\[[^\]]+\]:\d{1,5}$/.test(server)
    ) {
      throw new Error(
        `Invalid ZooKeeper server ${JSON.stringify(server)} in ${url}: expected host:port`,
      );
    }
  }
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return { servers, path: normalized, ...(auth && { auth }) };
}

type ZkClient = ReturnType<typeof zookeeper.createClient>;

/** The leading master's znode: the lowest sequence number among `json.info_*`. */
export function leaderZnode(children: readonly string[]): string | undefined {
  return children
    .filter((name) => name.startsWith(MASTER_ZNODE_PREFIX))
    .map((name) => ({
      name,
      seq: Number(name.slice(MASTER_ZNODE_PREFIX.length)),
    }))
    .filter(({ seq }) => Number.isSafeInteger(seq))
    .sort((a, b) => a.seq - b.seq)[0]?.name;
}

/**
 * libmesos' `ZooKeeperMasterDetector`: keeps a ZooKeeper session, watches the children of the
 * path, and reports the master of the lowest `json.info_*` znode. A leader's znode is ephemeral:
 * when its session ends (the master died), the znode goes and the next master leads. The session
 * is re-created when ZooKeeper expires it.
 */
export class ZooKeeperMasterDetector implements MasterDetector {
  private readonly logger = new Logger('MasterDetector');
  private readonly url: ZooKeeperUrl;
  private readonly listeners: Array<(leader: MasterInfo | undefined) => void> =
    [];
  private client?: ZkClient;
  private closed = false;
  private leader?: MasterInfo;
  private leaderZnode?: string;
  /** Resolves the pending `detect()` calls at the first answer of a session. */
  private waiting: Array<() => void> = [];
  private answered = false;

  constructor(readonly description: string) {
    this.url = parseZooKeeperUrl(description);
  }

  async detect(): Promise<MasterInfo | undefined> {
    if (this.closed) return undefined;
    this.ensureClient();
    if (!this.answered) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, FIRST_ANSWER_TIMEOUT_MS);
        timer.unref();
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.push(done);
      });
    }
    return this.leader;
  }

  onChange(listener: (leader: MasterInfo | undefined) => void): void {
    this.listeners.push(listener);
    this.ensureClient();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client?.close();
    this.client = undefined;
    this.wakeWaiting();
  }

  private ensureClient(): void {
    if (this.client || this.closed) return;
    const client = zookeeper.createClient(this.url.servers, {
      sessionTimeout: SESSION_TIMEOUT_MS,
      spinDelay: 1000,
      retries: 0,
    });
    this.client = client;
    if (this.url.auth) {
      client.addAuthInfo('digest', Buffer.from(this.url.auth));
    }
    client.on('connected', () => {
      if (client === this.client) this.readChildren(client);
    });
    client.on('expired', () => {
      if (client !== this.client) return;
      // The session (and with it every watch) is gone: start a new one.
      this.logger.warn(`ZooKeeper session to ${this.url.servers} expired`);
      client.close();
      this.client = undefined;
      this.answered = false;
      if (!this.closed) this.ensureClient();
    });
    client.on('authenticationFailed', () => {
      this.logger.error(
        `ZooKeeper authentication failed for ${this.description}`,
      );
    });
    client.connect();
  }

  private readChildren(client: ZkClient): void {
    client.getChildren(
      this.url.path,
      () => {
        if (client === this.client) this.readChildren(client);
      },
      (error, children) => {
        if (client !== this.client) return;
        if (error) {
          if (
            (error as { code?: number }).code === zookeeper.Exception.NO_NODE
          ) {
            // No master has registered yet: wait for the path to appear.
            client.exists(
              this.url.path,
              () => {
                if (client === this.client) this.readChildren(client);
              },
              (existsError, stat) => {
                if (!existsError && stat && client === this.client) {
                  this.readChildren(client);
                }
              },
            );
            this.settle(undefined, undefined);
          } else {
            this.logger.warn(
              `Reading ${this.url.path} from ZooKeeper failed: ${String(error)}`,
            );
          }
          return;
        }
        const znode = leaderZnode(children);
        if (znode === undefined) {
          this.settle(undefined, undefined);
          return;
        }
        if (znode === this.leaderZnode && this.answered) return;
        client.getData(
          `${this.url.path.replace(/\/$/, '')}/${znode}`,
          (dataError, data) => {
            if (client !== this.client) return;
            if (dataError) {
              // The znode went between the two reads: the children watch brings the next list.
              this.logger.debug(`Reading ${znode}: ${String(dataError)}`);
              return;
            }
            const info = data
              ? parseMasterInfoJson(data.toString('utf8'))
              : undefined;
            if (!info) {
              this.logger.warn(
                `Znode ${znode} does not hold a MasterInfo JSON`,
              );
            }
            this.settle(znode, info);
          },
        );
      },
    );
  }

  private settle(
    znode: string | undefined,
    info: MasterInfo | undefined,
  ): void {
    const changed =
      this.leader?.pid !== info?.pid || this.leader?.id !== info?.id;
    this.leaderZnode = znode;
    this.leader = info;
    this.answered = true;
    this.wakeWaiting();
    if (changed) {
      for (const listener of this.listeners) listener(info);
    }
  }

  private wakeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
}
