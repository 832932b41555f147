import type { NameScheme } from './name-schemes.js';

/** The four modes every reference peer has. */
export type PeerMode = 'serve' | 'send' | 'pingpong' | 'link';

interface CommonOptions {
  ip: string;
  port: number;
  /** Process id of this peer's process (`echo`, `sender`, `pinger`, `linker` by default). */
  name: string;
  verbose: boolean;
}

export interface ServeOptions extends CommonOptions {
  mode: 'serve';
}

export interface SendOptions extends CommonOptions {
  mode: 'send';
  to: string;
  n: number;
  size: number;
  names: NameScheme;
  timeoutMs: number;
}

export interface PingpongOptions extends CommonOptions {
  mode: 'pingpong';
  to: string;
  n: number;
  size: number;
  warmup: number;
  names: NameScheme;
  timeoutMs: number;
}

export interface LinkOptions extends CommonOptions {
  mode: 'link';
  to: string;
  timeoutMs: number;
}

export type PeerOptions =
  ServeOptions | SendOptions | PingpongOptions | LinkOptions;

/** A bad command line: the CLI prints the message and the usage to stderr and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run peer -- <mode> [flags]

  serve     [--port P] [--ip IP] [--name echo] [--verbose]
            process NAME: ping -> pong (same body), count, report -> report_reply (count);
            plain and mesos-go names at once; prints its PID, runs until killed
  send      --to PID [--n 20000] [--size 100] [--names plain|mesosgo] [--timeout 300]
  pingpong  --to PID [--n 2000] [--size 8] [--warmup 50] [--names plain|mesosgo] [--timeout 300]
  link      --to PID [--timeout 3600]

  all modes: --ip (bind and advertise, default 127.0.0.1), --port (default 0 = free port),
             --name, --verbose (library logs on stderr). --timeout: seconds, or 500ms/10s/2m/1h.
  TLS: the LIBPROCESS_SSL_* variables of C++ libprocess (LIBPROCESS_SSL_ENABLED=true with
       LIBPROCESS_SSL_CERT_FILE and LIBPROCESS_SSL_KEY_FILE, verification, downgrade, ...).
  Output: one JSON line per result on stdout (link: linked, then exited). Exit status 2 on a
  timeout or a usage error; send exits 1 when the server's count differs from --n.`;

const MODES: Record<PeerMode, { name: string; flags: readonly string[] }> = {
  serve: { name: 'echo', flags: [] },
  send: { name: 'sender', flags: ['to', 'n', 'size', 'names', 'timeout'] },
  pingpong: {
    name: 'pinger',
    flags: ['to', 'n', 'size', 'warmup', 'names', 'timeout'],
  },
  link: { name: 'linker', flags: ['to', 'timeout'] },
};

const COMMON_FLAGS = ['ip', 'port', 'name', 'verbose'];
const BOOLEAN_FLAGS = new Set(['verbose']);

/**
 * Parses `<mode> [flags]` the way the reference peers do. Flags are `--key value` or
 * `--key=value`; a single dash (`-key`, mesos-go's style) is accepted too, so a harness can
 * pass the same command line to every peer. Returns `'help'` for `--help`/`-h`.
 */
export function parsePeerArgs(argv: readonly string[]): PeerOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [mode, ...rest] = argv;
  if (!mode)
    throw new UsageError('missing mode (serve, send, pingpong or link)');
  if (!Object.hasOwn(MODES, mode)) {
    throw new UsageError(
      `unknown mode "${mode}" (serve, send, pingpong or link)`,
    );
  }
  const spec = MODES[mode as PeerMode];
  const allowed = new Set([...COMMON_FLAGS, ...spec.flags]);
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const match = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const key = match[1];
    if (!allowed.has(key))
      throw new UsageError(`unknown flag --${key} for ${mode}`);
    let value = match[2];
    if (BOOLEAN_FLAGS.has(key)) {
      value ??= 'true';
    } else if (value === undefined) {
      if (i + 1 >= rest.length) throw new UsageError(`--${key} needs a value`);
      value = rest[++i];
    }
    values.set(key, value);
  }

  const common: CommonOptions = {
    ip: values.get('ip') ?? '127.0.0.1',
    port: integer(values, 'port', 0, 0, 65535),
    name: values.get('name') ?? spec.name,
    verbose: booleanFlag(values, 'verbose'),
  };
  if (!common.name) throw new UsageError('--name must not be empty');
  if (!common.ip) throw new UsageError('--ip must not be empty');
  switch (mode as PeerMode) {
    case 'serve':
      return { mode: 'serve', ...common };
    case 'send':
      return {
        mode: 'send',
        ...common,
        to: required(values, 'to'),
        n: integer(values, 'n', 20000, 1),
        size: integer(values, 'size', 100, 0),
        names: scheme(values),
        timeoutMs: duration(values, 300),
      };
    case 'pingpong':
      return {
        mode: 'pingpong',
        ...common,
        to: required(values, 'to'),
        n: integer(values, 'n', 2000, 1),
        size: integer(values, 'size', 8, 0),
        warmup: integer(values, 'warmup', 50, 0),
        names: scheme(values),
        timeoutMs: duration(values, 300),
      };
    case 'link':
      return {
        mode: 'link',
        ...common,
        to: required(values, 'to'),
        timeoutMs: duration(values, 3600),
      };
  }
}

function required(values: Map<string, string>, key: string): string {
  const value = values.get(key);
  if (!value) throw new UsageError(`--${key} is required`);
  return value;
}

function integer(
  values: Map<string, string>,
  key: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = values.get(key);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(
      `--${key} must be an integer from ${min} to ${max}, got "${raw}"`,
    );
  }
  return Number(raw);
}

function booleanFlag(values: Map<string, string>, key: string): boolean {
  const raw = values.get(key);
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new UsageError(`--${key} takes no value (or true/false), got "${raw}"`);
}

function scheme(values: Map<string, string>): NameScheme {
  const raw = values.get('names') ?? 'plain';
  if (raw !== 'plain' && raw !== 'mesosgo') {
    throw new UsageError(`--names must be plain or mesosgo, got "${raw}"`);
  }
  return raw;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `--timeout` in seconds (compactor and C++) or as a Go duration (`10s`, `500ms`, `1h`). */
function duration(
  values: Map<string, string>,
  fallbackSeconds: number,
): number {
  const raw = values.get('timeout');
  if (raw === undefined) return fallbackSeconds * 1000;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? 's'] : NaN;
  if (!(ms > 0)) {
    throw new UsageError(
      `--timeout must be a positive number of seconds or a duration, got "${raw}"`,
    );
  }
  return ms;
}
