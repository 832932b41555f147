import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MesosInstall } from './mesos-install.js';
import { type StoppableProcess, track, untrack } from './tracked-processes.js';

/**
 * A real ZooKeeper server (../shared/mesos/zk.sh: Debian's 3.8, standalone) on a free loopback
 * port with a data dir of its own, for HA tests. Tracked like the clusters: always stopped.
 *
 * `tickTime` 500 ms lets sessions be as short as 1 s, so that with the masters'
 * `--zk_session_timeout=2secs` a killed leader's znode goes (and a standby is elected) within
 * about 2.5 s instead of 10 s.
 */
export class ZooKeeperServer implements StoppableProcess {
  private stopped = false;

  private constructor(
    private readonly zkSh: string,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(
    install: MesosInstall,
    tickTimeMs = 500,
  ): Promise<ZooKeeperServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'nestjs-libprocess-mesos-zk-'));
    const stopDir = () => {
      try {
        execFileSync('bash', [install.zkSh, 'stop', '--data-dir', dataDir], {
          stdio: 'ignore',
          timeout: 30_000,
        });
      } catch {
        // zk.sh logged it.
      }
    };
    const starting: StoppableProcess = {
      stop: async () => stopDir(),
      stopSync: stopDir,
    };
    track(starting);
    try {
      await new Promise<void>((resolve, reject) =>
        execFile(
          'bash',
          [
            install.zkSh,
            'start',
            '--data-dir',
            dataDir,
            '--tick-time',
            String(tickTimeMs),
          ],
          { timeout: 90_000 },
          (error, _stdout, stderr) =>
            error
              ? reject(new Error(`zk.sh start failed: ${stderr.slice(-1500)}`))
              : resolve(),
        ),
      );
    } catch (error) {
      stopDir();
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    } finally {
      untrack(starting);
    }
    const env = readFileSync(join(dataDir, 'zk.env'), 'utf8');
    const port = Number(/^ZK_PORT=(\d+)$/m.exec(env)?.[1]);
    const server = new ZooKeeperServer(install.zkSh, dataDir, port);
    track(server);
    return server;
  }

  /** `127.0.0.1:P`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `zk://127.0.0.1:P/<path>`: what masters, agents and the driver take. */
  url(path = '/mesos'): string {
    return `zk://${this.address}${path}`;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await new Promise<void>((resolve) =>
        execFile(
          'bash',
          [this.zkSh, 'stop', '--data-dir', this.dataDir],
          { timeout: 30_000 },
          () => resolve(),
        ),
      );
    } finally {
      untrack(this);
      if (process.env.MESOS_TEST_KEEP_DIRS !== '1')
        rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    try {
      execFileSync('bash', [this.zkSh, 'stop', '--data-dir', this.dataDir], {
        stdio: 'ignore',
        timeout: 30_000,
      });
    } catch {
      // Nothing more can be done while the process exits.
    }
    untrack(this);
  }
}
