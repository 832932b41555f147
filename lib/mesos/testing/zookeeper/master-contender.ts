import { Logger } from '@nestjs/common';
import zookeeper from 'node-zookeeper-client';
import type { MasterInfo } from '../../mesos.types.js';

/** `zk://host1:port1,host2:port2/path` -> the connection string and the znode path. */
export function parseZkUrl(url: string): { servers: string; path: string } {
  const match = /^zk:\/\/(?:[^@/]*@)?([^/]+)(\/.*)?$/.exec(url);
  if (!match) {
    throw new Error(
      `Invalid ZooKeeper URL '${url}': expected zk://host:port[,host:port...]/path`,
    );
  }
  const path = (match[2] ?? '/mesos').replace(/\/+$/, '') || '/mesos';
  return { servers: match[1], path };
}

/** Sorts object keys recursively, as Mesos' JSON::protobuf output is. */
function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The znode data a Mesos master writes: MasterInfo as JSON (what detectors read). */
export function masterInfoJson(info: MasterInfo): string {
  return JSON.stringify(
    sortedJson({
      ...info,
      capabilities: [
        { type: 'AGENT_UPDATE' },
        { type: 'AGENT_DRAINING' },
        { type: 'QUOTA_V2' },
      ],
    }),
  );
}

/**
 * The master's side of Mesos' ZooKeeper leader election (ZooKeeperMasterContender): an
 * ephemeral sequential znode `<path>/json.info_<10 digits>` holding the MasterInfo as JSON, owned
 * by this contender's session, so it disappears when the session ends or expires. The lowest
 * sequence number leads; the simulator does not watch the election itself (`elect()`/`demote()`
 * set its role).
 */
export class MasterContender {
  private readonly logger = new Logger('MasterContender');
  private client?: zookeeper.Client;
  /** The znode this contender created. */
  znode?: string;

  constructor(
    private readonly url: string,
    private readonly sessionTimeoutMs = 10_000,
  ) {}

  async contend(info: MasterInfo): Promise<string> {
    const { servers, path } = parseZkUrl(this.url);
    const client = await this.connect(servers);
    await new Promise<void>((resolve, reject) =>
      client.mkdirp(path, (error) => (error ? reject(error) : resolve())),
    );
    this.znode = await new Promise<string>((resolve, reject) =>
      client.create(
        `${path}/json.info_`,
        Buffer.from(masterInfoJson(info)),
        // world:anyone with all permissions, as Mesos creates its znodes (ZOO_OPEN_ACL_UNSAFE).
        [
          new zookeeper.ACL(
            zookeeper.Permission.ALL,
            new zookeeper.Id('world', 'anyone'),
          ),
        ],
        zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
        (error, created) => (error ? reject(error) : resolve(created)),
      ),
    );
    this.logger.log(`Created ${this.znode} for ${info.pid}`);
    return this.znode;
  }

  /** Deletes the znode (the master steps down) but keeps the session. */
  async withdraw(): Promise<void> {
    const { client, znode } = this;
    if (!client || !znode) return;
    this.znode = undefined;
    await new Promise<void>((resolve) =>
      client.remove(znode, -1, () => resolve()),
    );
  }

  /** Ends the session: ZooKeeper removes the ephemeral znode. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.znode = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      client.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.close();
    });
  }

  private async connect(servers: string): Promise<zookeeper.Client> {
    if (this.client) return this.client;
    const client = zookeeper.createClient(servers, {
      sessionTimeout: this.sessionTimeoutMs,
      retries: 2,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new Error(`Could not connect to ZooKeeper at ${servers}`));
      }, 10_000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    this.client = client;
    return client;
  }
}
