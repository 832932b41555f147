import {
  LongRunningChild,
  lastJsonLine,
  runChild,
} from '../support/child-process.js';
import type {
  ClientMode,
  Implementation,
  PeerCommand,
} from './peer-catalog.js';

/** One client run: the peer's own JSON fields plus where and when it ran. */
export interface RunRecord {
  pair: string;
  client: Implementation;
  server: Implementation;
  mode: ClientMode;
  repeat: number;
  error?: string;
  [field: string]: unknown;
}

export interface Pair {
  client: Implementation;
  server: Implementation;
}

export interface MatrixOptions {
  pairs: Pair[];
  repeats: number;
  sendN: number;
  size: number;
  pingpongN: number;
  /** Ping-pong warm-up round trips for every client (undefined: the peers' default, 50). */
  pingpongWarmup?: number;
  /** Unmeasured `send` runs into each server first (JIT warm-up of the TS server). */
  warmupRuns: number;
  log: (line: string) => void;
  /** Called at the start of each repeat of the send phase (the raw-limit bench hooks in). */
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

async function runClient(
  peer: PeerCommand,
  server: Implementation,
  to: string,
  mode: ClientMode,
  n: number,
  size: number,
  warmup?: number,
): Promise<Record<string, unknown>> {
  // compactor sends ~3,000 msgs/s; leave every pair ample time, and still end a hang.
  const timeoutMs = 60_000 + n * 5;
  const result = await runChild(
    peer.command,
    peer.clientArgs(mode, to, server, n, size, warmup),
    timeoutMs,
  );
  const line = lastJsonLine(result.stdout);
  if (result.timedOut)
    return { ...line, error: `killed after ${timeoutMs} ms` };
  if (!line) {
    return {
      error: `no JSON line (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(-300)}`,
    };
  }
  if (result.code !== 0 && line.error === undefined) {
    line.error =
      line.server_count !== undefined && line.server_count !== n
        ? `server counted ${String(line.server_count)} of ${n}`
        : `exit status ${result.code ?? result.signal}`;
  }
  return line;
}

/**
 * Runs `send` and `pingpong` for every pair, `repeats` times, interleaved (repeat -> mode ->
 * pair) so that machine noise spreads over all pairs alike. Servers run for the whole matrix.
 */
export async function runPeerMatrix(
  peers: Map<Implementation, PeerCommand>,
  options: MatrixOptions,
): Promise<RunRecord[]> {
  const { pairs, log } = options;
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
          server.pid,
          'send',
          options.sendN,
          options.size,
        );
        log(
          `warm-up ${name}->${name} send: ${warm.error ?? `${String(warm.msgs_per_sec)} msgs/s (not counted)`}`,
        );
      }
    }
    const total = options.repeats * 2 * pairs.length;
    for (let repeat = 1; repeat <= options.repeats; repeat++) {
      for (const mode of ['send', 'pingpong'] as const) {
        if (mode === 'send') await options.beforeSendRepeat?.(repeat);
        for (const pair of pairs) {
          const n = mode === 'send' ? options.sendN : options.pingpongN;
          const line = await runClient(
            peers.get(pair.client)!,
            pair.server,
            servers.get(pair.server)!.pid,
            mode,
            n,
            options.size,
            options.pingpongWarmup,
          );
          const record: RunRecord = {
            pair: pairName(pair),
            client: pair.client,
            server: pair.server,
            mode,
            repeat,
            ...line,
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
  const head = `${record.pair} ${record.mode} #${record.repeat}:`;
  if (record.error !== undefined)
    return `${head} ERROR ${String(record.error)}`;
  return record.mode === 'send'
    ? `${head} ${String(record.msgs_per_sec)} msgs/s`
    : `${head} p50 ${String(record.p50_us)} us, p99 ${String(record.p99_us)} us`;
}
