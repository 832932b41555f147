import { execFile, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, type HttpAnswer } from './master-http.js';
import type { MesosInstall } from './mesos-install.js';
import { processGone, pollUntil, waitForLogLine } from './process-watch.js';
import { type StoppableProcess, track, untrack } from './tracked-processes.js';

/** What `cluster.sh start` is asked for; every field maps to one of its options. */
export interface ClusterOptions {
  /** Names the work dir (`$TMPDIR/nestjs-libprocess-mesos-<name>-XXXXXX`). */
  name: string;
  /** Agent resources; the default leaves room for several frameworks at once. */
  resources?: string;
  registry?: 'in_memory' | 'replicated_log';
  /** `--x=y` master flags, replacing cluster.sh's defaults of the same name. */
  masterFlags?: readonly string[];
  agentFlags?: readonly string[];
  /** Only a master (a standby for HA tests). */
  noAgent?: boolean;
  /** `zk://host:port/path`: the masters elect their leader there. */
  zk?: string;
  credentials?: ReadonlyArray<{ principal: string; secret: string }>;
  authenticateFrameworks?: boolean;
}

/** The KEY=VALUE lines of `cluster.sh start` (its cluster.json). */
interface ClusterJson {
  CLUSTER_MASTER_UPID: string;
  CLUSTER_MASTER_ADDR: string;
  CLUSTER_MASTER_PID: number;
  CLUSTER_AGENT_UPID: string;
  CLUSTER_AGENT_ADDR: string;
  CLUSTER_AGENT_ID: string;
  CLUSTER_AGENT_PID: number | string;
  CLUSTER_WORK_DIR: string;
  CLUSTER_MASTER_LOG: string;
  CLUSTER_AGENT_LOG: string;
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Flags every test cluster gets, for speed: offers are made every 100 ms instead of every
 * second, and an agent that lost its master retries registering after 100 ms-ish instead of
 * after up to 1 s.
 */
const DEFAULT_MASTER_FLAGS = ['--allocation_interval=100ms'];
const DEFAULT_AGENT_FLAGS = ['--registration_backoff_factor=100ms'];

/** The binary-path variables of env.sh: mesos-agent would read MESOS_MASTER as --master. */
const ENV_NOT_FOR_MESOS = [
  'MESOS_MASTER',
  'MESOS_AGENT',
  'MESOS_LOCAL',
  'MESOS_HOME',
];

function stopWorkDirSync(clusterSh: string, workDir: string): void {
  try {
    execFileSync('bash', [clusterSh, 'stop', '--work-dir', workDir], {
      stdio: 'ignore',
      timeout: 60_000,
    });
  } catch {
    // Nothing more can be done here; cluster.sh logged what it could not stop.
  }
}

function splitHostPort(address: string): HostPort {
  const separator = address.lastIndexOf(':');
  return {
    host: address.slice(0, separator),
    port: Number(address.slice(separator + 1)),
  };
}

function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      { env, timeout: timeoutMs, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new Error(
              `${script} ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${stderr.slice(-2000)}`,
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/**
 * One real Mesos master (and, unless `noAgent`, one agent) started by ../shared/mesos/cluster.sh
 * on free loopback ports, in a work dir of its own.
 *
 * Every instance is tracked until {@link stop}: `stopAllTracked` (registered by
 * `describeWithMesos`) and an exit hook stop whatever a failing or timed-out test left, so a
 * test run never leaves Mesos processes behind. Processes are only ever found through this
 * work dir's pid files and the pids recorded here, never by name.
 */
export class MesosCluster implements StoppableProcess {
  private stopped = false;
  private masterPid: number;
  private masterArgv: string[] | undefined;

  private constructor(
    readonly install: MesosInstall,
    readonly options: ClusterOptions,
    readonly workDir: string,
    private readonly json: ClusterJson,
  ) {
    this.masterPid = json.CLUSTER_MASTER_PID;
  }

  /** Starts a cluster and waits until its agent is registered and active (cluster.sh does). */
  static async start(
    install: MesosInstall,
    options: ClusterOptions,
  ): Promise<MesosCluster> {
    const workDir = mkdtempSync(
      join(tmpdir(), `nestjs-libprocess-mesos-${options.name}-`),
    );
    const args = ['start', '--work-dir', workDir, '--timeout', '90'];
    args.push('--resources', options.resources ?? 'cpus:8;mem:8192');
    if (options.registry) args.push('--registry', options.registry);
    if (options.noAgent) args.push('--no-agent');
    if (options.zk) args.push('--zk', options.zk, '--quorum', '1');
    if (options.credentials) {
      const file = join(workDir, 'test-credentials.json');
      writeFileSync(
        file,
        JSON.stringify({ credentials: options.credentials }),
        { mode: 0o600 },
      );
      args.push('--credentials', file);
    }
    if (options.authenticateFrameworks) args.push('--authenticate-frameworks');
    for (const flag of [
      ...DEFAULT_MASTER_FLAGS,
      ...(options.masterFlags ?? []),
    ])
      args.push('--master-flag', flag);
    for (const flag of [...DEFAULT_AGENT_FLAGS, ...(options.agentFlags ?? [])])
      args.push('--agent-flag', flag);

    // Until start returns, only the work dir names what it started.
    const starting: StoppableProcess = {
      stop: async () => stopWorkDirSync(install.clusterSh, workDir),
      stopSync: () => stopWorkDirSync(install.clusterSh, workDir),
    };
    track(starting);
    try {
      // cluster.sh stops what it started when its start fails.
      await runScript(install.clusterSh, args, process.env, 150_000);
    } catch (error) {
      // A timeout kills cluster.sh itself, not what it started: stop those too.
      stopWorkDirSync(install.clusterSh, workDir);
      rmSync(workDir, { recursive: true, force: true });
      throw error;
    } finally {
      untrack(starting);
    }
    const json = JSON.parse(
      readFileSync(join(workDir, 'cluster.json'), 'utf8'),
    ) as ClusterJson;
    const cluster = new MesosCluster(install, options, workDir, json);
    track(cluster);
    return cluster;
  }

  /** `master@127.0.0.1:P`. */
  get masterUpid(): string {
    return this.json.CLUSTER_MASTER_UPID;
  }

  /** `127.0.0.1:P`: what the sample's `--master` takes. */
  get masterAddr(): string {
    return this.json.CLUSTER_MASTER_ADDR;
  }

  get master(): HostPort {
    return splitHostPort(this.json.CLUSTER_MASTER_ADDR);
  }

  get agent(): HostPort {
    return splitHostPort(this.json.CLUSTER_AGENT_ADDR);
  }

  get agentId(): string {
    return this.json.CLUSTER_AGENT_ID;
  }

  get masterLogPath(): string {
    return this.json.CLUSTER_MASTER_LOG;
  }

  /** The master's log so far (glog INFO lines). */
  masterLog(): string {
    return readFileSync(this.json.CLUSTER_MASTER_LOG, 'utf8');
  }

  agentLog(): string {
    return readFileSync(this.json.CLUSTER_AGENT_LOG, 'utf8');
  }

  /** The last `lines` lines of both logs, for failure messages. */
  logTail(lines = 30): string {
    const tail = (path: string) => {
      try {
        return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
      } catch {
        return '(none)';
      }
    };
    return `--- master log (${this.json.CLUSTER_MASTER_LOG}):\n${tail(this.json.CLUSTER_MASTER_LOG)}\n--- agent log:\n${tail(this.json.CLUSTER_AGENT_LOG)}`;
  }

  masterGet(path: string): Promise<HttpAnswer> {
    const { host, port } = this.master;
    return httpGet(host, port, path);
  }

  /** GET a JSON endpoint of the master (`/master/frameworks`, `/metrics/snapshot`...). */
  async masterJson<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.json200<T>(this.master, path);
  }

  /** GET a JSON endpoint of the agent (`/state`, `/metrics/snapshot`). */
  async agentJson<T = Record<string, unknown>>(path: string): Promise<T> {
    return this.json200<T>(this.agent, path);
  }

  private async json200<T>({ host, port }: HostPort, path: string): Promise<T> {
    const answer = await httpGet(host, port, path);
    if (answer.status !== 200) {
      throw new Error(
        `GET http://${host}:${port}${path}: ${answer.status} ${answer.body.slice(0, 200)}`,
      );
    }
    return JSON.parse(answer.body) as T;
  }

  /** The master's OS process id (changes with {@link restartMaster}). */
  get masterOsPid(): number {
    return this.masterPid;
  }

  /**
   * Kills the master (the agent and everything else keep running). Its command line is kept
   * for {@link restartMaster}.
   */
  async killMaster(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = this.masterPid;
    this.masterArgv ??= readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg) => arg !== '');
    process.kill(pid, signal);
    await pollUntil(
      () => processGone(pid),
      20_000,
      `master ${pid} to exit after ${signal}`,
    );
  }

  /**
   * Starts the master again with the same command line: same port, same work dir (so a
   * `replicated_log` registry is recovered), log appended to the same file. Resolves once it
   * is elected (and, with a replicated log, recovered its registry).
   */
  async restartMaster(): Promise<void> {
    if (!this.masterArgv)
      throw new Error('restartMaster() needs killMaster() first');
    const logPath = this.json.CLUSTER_MASTER_LOG;
    const from = statSync(logPath).size;
    const env = { ...process.env };
    for (const key of ENV_NOT_FOR_MESOS) delete env[key];
    const out = openSync(logPath, 'a');
    // cluster.sh passes --port=0 (a port the kernel picks): the restarted master must take the
    // port the agent and the schedulers know.
    const [command, ...args] = this.masterArgv.map((arg) =>
      arg.startsWith('--port=') ? `--port=${this.master.port}` : arg,
    );
    const child = spawn(command, args, {
      // A session of its own, as cluster.sh starts it: a Ctrl-C of the test does not reach it.
      detached: true,
      stdio: ['ignore', out, out],
      env,
    });
    closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${command}`);
    this.masterPid = child.pid;
    // cluster.sh stop finds it through this file.
    writeFileSync(join(this.workDir, 'master.pid'), `${child.pid}\n`);
    await waitForLogLine(
      logPath,
      from,
      /Elected as the leading master!/,
      60_000,
      `restarted master ${child.pid} to be elected`,
      () => processGone(child.pid!),
    );
  }

  /** Resolves once the master lists the agent as active again (after a master restart). */
  async waitForAgentActive(timeoutMs = 60_000): Promise<void> {
    await pollUntil(
      async () => {
        try {
          const state = await this.masterJson<{
            slaves: Array<{ id: string; active: boolean }>;
          }>('/master/slaves');
          return state.slaves.some((s) => s.id === this.agentId && s.active);
        } catch {
          return false;
        }
      },
      timeoutMs,
      `agent ${this.agentId} to be active on ${this.masterUpid}`,
    );
  }

  /** Stops the master and agent (and the agent's executors and tasks) and removes the work dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      await runScript(
        this.install.clusterSh,
        ['stop', '--work-dir', this.workDir],
        process.env,
        90_000,
      );
    } finally {
      untrack(this);
      this.removeWorkDir();
    }
  }

  /** {@link stop} for the exit hook, where only synchronous work runs. */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    stopWorkDirSync(this.install.clusterSh, this.workDir);
    untrack(this);
  }

  private removeWorkDir(): void {
    if (process.env.MESOS_TEST_KEEP_DIRS === '1') return;
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
