import type { PeerProfile, ProfileName } from '../bench-options.js';
import {
  LongRunningChild,
  lastJsonLine,
  runChild,
} from '../support/child-process.js';
import {
  processCpuSeconds,
  reapedChildrenCpuSeconds,
} from '../support/cpu-time.js';
import type {
  ClientMode,
  Implementation,
  PeerCommand,
} from './peer-catalog.js';

/**
 * One client run: the peer's own JSON fields plus where and when it ran, and the CPU seconds
 * (user + system) the client process and the server process used during the run.
 */
export interface RunRecord {
  pair: string;
  client: Implementation;
  server: Implementation;
  mode: ClientMode;
  /** Absent in results written before profiles existed: those were `full` (or `--quick`) runs. */
  profile?: ProfileName;
  repeat: number;
  client_cpu_s?: number;
  server_cpu_s?: number;
  /** TS steady client: its CPU from the first send to the report's reply (no start-up). */
  sending_cpu_s?: number;
  error?: string;
  [field: string]: unknown;
}

export interface Pair {
  client: Implementation;
  server: Implementation;
}

export interface MatrixOptions {
  profile: PeerProfile;
  pairs: Pair[];
  size: number;
  /** Ping-pong warm-up round trips for every client (undefined: the peers' default, 50). */
  pingpongWarmup?: number;
  /** Unmeasured `send` runs into each server first (JIT warm-up of the TS server), at most 20,000. */
  warmupRuns: number;
  log: (line: string) => void;
  /** Called at the start of each repeat of the send (steady) phase (the raw-limit bench hooks in). */
  beforeSendRepeat?: (repeat: number) => Promise<void>;
}

// The PID line each `serve` prints: `echo@127.0.0.1:41253`.
const PID_LINE = /^[^@\s]+@[0-9.]+:\d+$/;

export const pairName = (pair: Pair): string =>
  `${pair.client}->${pair.server}`;

/** A server for every implementation that appears as a server in `pairs`. */
async function startServers(
  peers: Map<Implementation, PeerCommand>,
  pairs: Pair[],
  log: (line: string) => void,
): Promise<Map<Implementation, { child: LongRunningChild; pid: string }>> {
  const servers = new Map<
    Implementation,
    { child: LongRunningChild; pid: string }
  >();
  for (const name of new Set(pairs.map((p) => p.server))) {
    const peer = peers.get(name)!;
    const child = new LongRunningChild(peer.command, peer.serveArgs());
    // Registered before awaiting so a failed start is still stopped by the caller.
    const entry = { child, pid: '' };
    servers.set(name, entry);
    entry.pid = await child.waitForLine(PID_LINE, 20_000);
    log(`server ${name}: ${entry.pid}`);
  }
  return servers;
}

const cpuDelta = (before?: number, after?: number) =>
  before === undefined || after === undefined
    ? undefined
    : Number((after - before).toFixed(2));

async function runClient(
  peer: PeerCommand,
  server: Implementation,
  serverPid: number | undefined,
  to: string,
  mode: ClientMode,
  n: number,
  size: number,
  warmup?: number,
): Promise<Record<string, unknown>> {
  // compactor sends ~3,000 msgs/s; leave every pair ample time, and still end a hang.
  const timeoutMs = 60_000 + n * 5;
  const clientCpu = reapedChildrenCpuSeconds();
  const serverCpu = processCpuSeconds(serverPid);
  const result = await runChild(
    peer.command,
    peer.clientArgs(mode, to, server, n, size, warmup),
    timeoutMs,
  );
  const cpu = {
    client_cpu_s: cpuDelta(clientCpu, reapedChildrenCpuSeconds()),
    server_cpu_s: cpuDelta(serverCpu, processCpuSeconds(serverPid)),
  };
  const parsed = lastJsonLine(result.stdout);
  if (result.timedOut)
    return { ...parsed, ...cpu, error: `killed after ${timeoutMs} ms` };
  if (!parsed) {
    return {
      ...cpu,
      error: `no JSON line (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(-300)}`,
    };
  }
  const line: Record<string, unknown> = { ...parsed, ...cpu };
  if (result.code !== 0 && line.error === undefined) {
    line.error =
      line.server_count !== undefined && line.server_count !== n
        ? `server counted ${String(line.server_count)} of ${n}`
        : `exit status ${result.code ?? result.signal}`;
  }
  return line;
}

/**
 * Runs `send` and `pingpong` (`steady` for the steady profile) for every pair, `repeats` times,
 * interleaved (repeat -> mode -> pair) so that machine noise spreads over all pairs alike.
 * Servers run for the whole matrix of the profile.
 */
export async function runPeerMatrix(
  peers: Map<Implementation, PeerCommand>,
  options: MatrixOptions,
): Promise<RunRecord[]> {
  const { pairs, log, profile } = options;
  const modes: ClientMode[] =
    profile.name === 'steady' ? ['steady'] : ['send', 'pingpong'];
  const records: RunRecord[] = [];
  let servers = new Map<
    Implementation,
    { child: LongRunningChild; pid: string }
  >();
  try {
    servers = await startServers(peers, pairs, log);
    for (const [name, server] of servers) {
      for (let i = 0; i < options.warmupRuns; i++) {
        const warm = await runClient(
          peers.get(name)!,
          name,
          server.child.pid,
          server.pid,
          'send',
          Math.min(profile.sendN, 20_000),
          options.size,
        );
        log(
          `warm-up ${name}->${name} send: ${warm.error ?? `${String(warm.msgs_per_sec)} msgs/s (not counted)`}`,
        );
      }
    }
    const total = profile.repeats * modes.length * pairs.length;
    for (let repeat = 1; repeat <= profile.repeats; repeat++) {
      for (const mode of modes) {
        if (mode !== 'pingpong') await options.beforeSendRepeat?.(repeat);
        for (const pair of pairs) {
          const n = mode === 'pingpong' ? profile.pingpongN : profile.sendN;
          const server = servers.get(pair.server)!;
          const line = await runClient(
            peers.get(pair.client)!,
            pair.server,
            server.child.pid,
            server.pid,
            mode,
            n,
            options.size,
            options.pingpongWarmup,
          );
          // The harness' fields last: a peer's line says `"mode": "send"` for a steady run too.
          const record: RunRecord = {
            ...line,
            pair: pairName(pair),
            client: pair.client,
            server: pair.server,
            mode,
            profile: profile.name,
            repeat,
          };
          records.push(record);
          log(`[${records.length}/${total}] ${describeRun(record)}`);
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.child.stop()));
  }
  return records;
}

function describeRun(record: RunRecord): string {
  const head = `${record.profile} ${record.pair} ${record.mode} #${record.repeat}:`;
  const cpu = `CPU client ${String(record.client_cpu_s)} s, server ${String(record.server_cpu_s)} s`;
  if (record.error !== undefined)
    return `${head} ERROR ${String(record.error)}`;
  return record.mode === 'pingpong'
    ? `${head} p50 ${String(record.p50_us)} us, p99 ${String(record.p99_us)} us`
    : `${head} ${String(record.msgs_per_sec)} msgs/s; ${cpu}`;
}
