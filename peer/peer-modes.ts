import { Upid } from '../lib/index.js';
import { EchoProcess } from './echo.process.js';
import { LinkerProcess } from './linker.process.js';
import type {
  LinkOptions,
  PingpongOptions,
  SendOptions,
  ServeOptions,
} from './peer-args.js';
import { startPeerApp, type PeerApp } from './peer-app.js';
import { latencySummary, round, type ReportLine } from './peer-report.js';
import { PingerProcess } from './pinger.process.js';
import { SenderProcess } from './sender.process.js';

/** The `peer` field of every line: which implementation printed it. */
const PEER = 'ts';

/** Where a mode writes its output lines (the CLI prints them; tests collect them). */
export type Emit = (line: ReportLine) => void;

const TIMED_OUT = Symbol('timed out');

/** Resolves with `work`'s result, or with {@link TIMED_OUT} after `ms`. */
async function withTimeout<T>(
  work: Promise<T>,
  ms: number,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `serve`: starts the `echo` process and resolves once it is routable. The caller prints
 * `pid` and keeps the node running; with `verbose`, every answered report is emitted.
 */
export async function runServe(
  options: ServeOptions,
  emit: Emit,
): Promise<PeerApp<EchoProcess>> {
  const peer = await startPeerApp(EchoProcess, options.name, options);
  if (options.verbose) {
    peer.process.onReport = (report) => emit({ event: 'report', ...report });
  }
  return peer;
}

/**
 * `send`: N `count` messages and a `report`; emits the result line. Exit code 0, 1 when the
 * server counted a different number, 2 on a timeout.
 */
export async function runSend(
  options: SendOptions,
  emit: Emit,
): Promise<number> {
  const to = Upid.parse(options.to);
  const peer = await startPeerApp(SenderProcess, options.name, options);
  try {
    const outcome = await withTimeout(
      peer.process.run(to, options.n, options.size, options.names),
      options.timeoutMs,
    );
    if (outcome === TIMED_OUT) {
      emit({ peer: PEER, mode: 'send', error: 'timeout', to: options.to });
      return 2;
    }
    emit({
      peer: PEER,
      mode: 'send',
      from: peer.pid,
      to: options.to,
      names: options.names,
      n: options.n,
      size: options.size,
      server_count: outcome.serverCount,
      seconds: round(outcome.seconds, 4),
      msgs_per_sec: round(options.n / outcome.seconds, 1),
    });
    return outcome.serverCount === options.n ? 0 : 1;
  } finally {
    await peer.close();
  }
}

/** `pingpong`: sequential round trips; emits the latency line. Exit code 0, or 2 on a timeout. */
export async function runPingpong(
  options: PingpongOptions,
  emit: Emit,
): Promise<number> {
  const to = Upid.parse(options.to);
  const peer = await startPeerApp(PingerProcess, options.name, options);
  try {
    const latencies = await withTimeout(
      peer.process.run(
        to,
        options.n,
        options.warmup,
        options.size,
        options.names,
      ),
      options.timeoutMs,
    );
    if (latencies === TIMED_OUT) {
      emit({
        peer: PEER,
        mode: 'pingpong',
        error: 'timeout',
        completed: peer.process.completed,
      });
      return 2;
    }
    emit({
      peer: PEER,
      mode: 'pingpong',
      from: peer.pid,
      to: options.to,
      names: options.names,
      n: options.n,
      size: options.size,
      warmup: options.warmup,
      ...latencySummary(latencies),
    });
    return 0;
  } finally {
    await peer.close();
  }
}

/**
 * `link`: links to the remote process, emits `linked` once the link is up, then `exited`
 * when the remote goes away (exit code 0), or `timeout` (exit code 2).
 */
export async function runLink(
  options: LinkOptions,
  emit: Emit,
): Promise<number> {
  const to = Upid.parse(options.to);
  const peer = await startPeerApp(LinkerProcess, options.name, options);
  try {
    const exited = new Promise<void>((resolve) => {
      peer.process.onEvent = (event) => {
        if (event.event === 'linked') {
          emit({ event: 'linked', from: peer.pid, to: event.to.toString() });
        } else {
          emit({
            event: 'exited',
            pid: event.pid.toString(),
            t: Date.now() / 1000,
          });
          resolve();
        }
      };
    });
    peer.process.link(to);
    if ((await withTimeout(exited, options.timeoutMs)) === TIMED_OUT) {
      emit({ event: 'timeout' });
      return 2;
    }
    return 0;
  } finally {
    await peer.close();
  }
}
