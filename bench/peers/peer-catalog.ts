import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The four implementations, named as in `pair` (`<client>-><server>`). */
export const IMPLEMENTATIONS = ['ts', 'libprocess', 'go', 'compactor'] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number];

/**
 * `steady` is a long `send` from one process. The reference peers run their own `send`; the TS
 * side runs bench/steady/steady-client.ts, which paces itself to the library's queue limit.
 */
export type ClientMode = 'send' | 'pingpong' | 'steady';

/** How to run one implementation's peer CLI (../shared/peers/README.md, section 2). */
export interface PeerCommand {
  readonly name: Implementation;
  readonly command: string;
  /** Arguments before the mode (the script of the TS peer). */
  readonly prefix: readonly string[];
  serveArgs(): string[];
  clientArgs(
    mode: ClientMode,
    to: string,
    server: Implementation,
    n: number,
    size: number,
    /** Unmeasured ping-pong round trips; undefined = the peer's default (50). */
    warmup?: number,
  ): string[];
}

/** A peer that cannot run here, and why (printed as a note, its pairs skipped). */
export interface MissingPeer {
  readonly name: Implementation;
  readonly reason: string;
}

// The peers' environment variables, as `setup.sh` writes them (env.sh / env.json).
const PEER_ENV: Record<Exclude<Implementation, 'ts'>, string> = {
  libprocess: 'LIBPROCESS_PEER',
  go: 'GO_PEER',
  compactor: 'COMPACTOR_PEER',
};

/**
 * The env file of ../shared/peers/setup.sh, used for the variables the caller did not set,
 * so `npm run bench` works without sourcing env.sh first.
 */
function peersEnvFile(): Record<string, string> {
  const home =
    process.env.PEERS_HOME ?? join(homedir(), '.cache', 'libprocess-peers');
  const file = join(home, 'env.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** `LIBPROCESS_SSL_PEER` (C++ libprocess built with SSL), from the environment or the env file. */
export function sslPeerCommand(): string | undefined {
  const command =
    process.env.LIBPROCESS_SSL_PEER || peersEnvFile().LIBPROCESS_SSL_PEER;
  return command && existsSync(command) ? command : undefined;
}

/** mesos-go only speaks its own name scheme, so every client must use it toward a Go server. */
function namesToward(server: Implementation): 'plain' | 'mesosgo' {
  return server === 'go' ? 'mesosgo' : 'plain';
}

// `npm run build` puts this file in dist/bench/peers/ and the TS peer CLI in dist/peer/.
const TS_PEER_MAIN = fileURLToPath(
  new URL('../../peer/main.js', import.meta.url),
);
const TS_STEADY_CLIENT = fileURLToPath(
  new URL('../steady/steady-client.js', import.meta.url),
);

function doubleDashPeer(
  name: Implementation,
  command: string,
  prefix: string[],
  extra: string[],
): PeerCommand {
  return {
    name,
    command,
    prefix,
    serveArgs: () => [...prefix, 'serve', '--port', '0', ...extra],
    clientArgs: (mode, to, server, n, size, warmup) => [
      ...prefix,
      mode === 'steady' ? 'send' : mode,
      '--to',
      to,
      '--n',
      String(n),
      ...(mode !== 'pingpong' ? ['--size', String(size)] : []),
      ...(mode === 'pingpong' && warmup !== undefined
        ? ['--warmup', String(warmup)]
        : []),
      '--names',
      namesToward(server),
      ...extra,
    ],
  };
}

/**
 * Resolves the four peers: the TS peer from this build, the reference peers from
 * `LIBPROCESS_PEER`, `GO_PEER`, `COMPACTOR_PEER` (or the env file of setup.sh).
 */
export function resolvePeers(): {
  available: PeerCommand[];
  missing: MissingPeer[];
} {
  const fromFile = peersEnvFile();
  const available: PeerCommand[] = [];
  const missing: MissingPeer[] = [];

  if (existsSync(TS_PEER_MAIN)) {
    const ts = doubleDashPeer('ts', process.execPath, [TS_PEER_MAIN], []);
    available.push({
      ...ts,
      clientArgs: (mode, to, server, n, size, warmup) =>
        mode === 'steady'
          ? [
              TS_STEADY_CLIENT,
              ...ts
                .clientArgs('send', to, server, n, size, warmup)
                .slice(ts.prefix.length + 1),
            ]
          : ts.clientArgs(mode, to, server, n, size, warmup),
    });
  } else {
    missing.push({
      name: 'ts',
      reason: `${TS_PEER_MAIN} not built (npm run build)`,
    });
  }

  for (const name of ['libprocess', 'go', 'compactor'] as const) {
    const variable = PEER_ENV[name];
    const command = process.env[variable] || fromFile[variable];
    if (!command || !existsSync(command)) {
      missing.push({
        name,
        reason: `${variable} ${command ? `(${command}) not found` : 'not set'}; install with bash ../shared/peers/setup.sh`,
      });
      continue;
    }
    if (name === 'libprocess') {
      // Linked sockets, as Mesos components use: unlinked C++ sends go over temporary
      // sockets that lose messages in bursts (peers README, quirk 1).
      available.push(doubleDashPeer(name, command, [], ['--link', '1']));
    } else if (name === 'compactor') {
      available.push(doubleDashPeer(name, command, [], []));
    } else {
      available.push({
        name,
        command,
        prefix: [],
        serveArgs: () => ['serve', '-port', '0'],
        // The Go client always uses the mesos-go names (every server installs them).
        clientArgs: (mode, to, _server, n, size, warmup) => [
          mode === 'steady' ? 'send' : mode,
          '-to',
          to,
          '-n',
          String(n),
          ...(mode !== 'pingpong' ? ['-size', String(size)] : []),
          ...(mode === 'pingpong' && warmup !== undefined
            ? ['-warmup', String(warmup)]
            : []),
        ],
      });
    }
  }
  available.sort(
    (a, b) => IMPLEMENTATIONS.indexOf(a.name) - IMPLEMENTATIONS.indexOf(b.name),
  );
  return { available, missing };
}
