import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { STARTUP_TIMEOUT_MS, SpawnedProcess } from './spawned-process.js';

/** The three reference implementations of ../shared/peers. */
export type PeerKind = 'compactor' | 'go' | 'libprocess';

export type NameScheme = 'plain' | 'mesosgo';

/** What a developer runs to install the peers (printed when one is missing). */
export const PEERS_INSTALL_HINT =
  'bash ../shared/peers/setup.sh && . ~/.cache/libprocess-peers/env.sh';

const PEER_INFO: Record<PeerKind, { title: string; envVar: string }> = {
  compactor: { title: 'compactor (Python)', envVar: 'COMPACTOR_PEER' },
  go: { title: 'mesos-go', envVar: 'GO_PEER' },
  libprocess: { title: 'C++ libprocess', envVar: 'LIBPROCESS_PEER' },
};

/**
 * The env file setup.sh writes, so a developer who ran setup.sh once does not have to source
 * env.sh in every shell. Explicit environment variables win.
 */
function peersEnvFile(): Record<string, string> {
  const home =
    process.env.PEERS_HOME ?? join(homedir(), '.cache', 'libprocess-peers');
  try {
    return JSON.parse(readFileSync(join(home, 'env.json'), 'utf8')) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}

export type PeerLookup =
  | { ok: true; peer: ReferencePeer }
  | { ok: false; kind: PeerKind; title: string; reason: string };

/** Finds a reference peer from its environment variable (or the env file) and checks it can run. */
export function lookupReferencePeer(kind: PeerKind): PeerLookup {
  const { title, envVar } = PEER_INFO[kind];
  const command = process.env[envVar] || peersEnvFile()[envVar];
  if (!command) {
    return { ok: false, kind, title, reason: `${envVar} is not set` };
  }
  try {
    if (!statSync(command).isFile()) throw new Error('not a file');
    accessSync(command, constants.X_OK);
  } catch {
    return {
      ok: false,
      kind,
      title,
      reason: `${envVar}=${command} is not an executable file`,
    };
  }
  return { ok: true, peer: new ReferencePeer(kind, title, command) };
}

export interface ClientOptions {
  to: string;
  n?: number;
  size?: number;
  warmup?: number;
  names?: NameScheme;
  /** Seconds; the peers' own defaults are minutes, far longer than a test may wait. */
  timeoutSeconds?: number;
  /** C++ peer only: `--link 0` sends over libprocess' temporary sockets. */
  link?: boolean;
}

/** A started `serve` process and the PID it printed. */
export interface PeerServer {
  pid: string;
  process: SpawnedProcess;
}

/**
 * One reference peer executable, with the differences between the three command lines hidden:
 * mesos-go takes Go durations for `--timeout` and has no `--names` (it always uses the mesos-go
 * names), the C++ peer alone has `--link`.
 */
export class ReferencePeer {
  constructor(
    readonly kind: PeerKind,
    readonly title: string,
    readonly command: string,
  ) {}

  /** mesos-go's server installs only the mesos-go names and its clients always send them. */
  get speaksPlainNames(): boolean {
    return this.kind !== 'go';
  }

  /** Starts `serve` on a free loopback port and resolves once it printed its PID. */
  async serve(extraArgs: readonly string[] = []): Promise<PeerServer> {
    const child = SpawnedProcess.start(`${this.kind} serve`, this.command, [
      'serve',
      '--ip',
      '127.0.0.1',
      '--port',
      '0',
      ...extraArgs,
    ]);
    const pid = await child.stdout.next(STARTUP_TIMEOUT_MS);
    return { pid, process: child };
  }

  /** Starts a client mode (`send`, `pingpong`, `link`). */
  client(
    mode: 'send' | 'pingpong' | 'link',
    options: ClientOptions,
  ): SpawnedProcess {
    const args: string[] = [mode, '--to', options.to];
    if (options.n !== undefined) args.push('--n', String(options.n));
    if (options.size !== undefined) args.push('--size', String(options.size));
    if (options.warmup !== undefined)
      args.push('--warmup', String(options.warmup));
    if (options.names && this.kind !== 'go')
      args.push('--names', options.names);
    if (options.names === 'plain' && this.kind === 'go') {
      throw new Error('the mesos-go peer only speaks the mesos-go names');
    }
    if (options.timeoutSeconds !== undefined) {
      args.push(
        '--timeout',
        this.kind === 'go'
          ? `${options.timeoutSeconds}s`
          : String(options.timeoutSeconds),
      );
    }
    if (options.link !== undefined) {
      if (this.kind !== 'libprocess')
        throw new Error('--link is a C++ peer flag');
      args.push('--link', options.link ? '1' : '0');
    }
    return SpawnedProcess.start(`${this.kind} ${mode}`, this.command, args);
  }

  /**
   * Runs a client mode to completion and returns its JSON line and exit code. Rejects (with
   * the peer's stderr) if it prints nothing or outlives `deadlineMs`.
   */
  async run(
    mode: 'send' | 'pingpong',
    options: ClientOptions,
    deadlineMs = 60_000,
  ): Promise<{ result: Record<string, any>; code: number | null }> {
    const child = this.client(mode, options);
    const status = await child.waitForExit(deadlineMs);
    const line = child.stdout.seen.find((l) => l.startsWith('{'));
    if (!line) {
      throw new Error(
        `${child.label} printed no JSON line (exit ${status.code ?? status.signal}); stderr: ${child.stderr.slice(-800)}`,
      );
    }
    return {
      result: JSON.parse(line) as Record<string, any>,
      code: status.code,
    };
  }
}
