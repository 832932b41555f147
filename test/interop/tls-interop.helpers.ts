import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { expect } from '@jest/globals';

import { PEERS_INSTALL_HINT } from '../support/reference-peers.js';
import type { Availability } from '../support/require-gate.js';
import { SpawnedProcess } from '../support/spawned-process.js';
import { transpiledPath } from '../support/transpiled-sources.js';
import type { CertificateFiles } from '../tls/tls-certificates.js';

/** Which program plays a side: the TS peer CLI, the C++ SSL peer, or the plain C++ peer. */
export type Side = 'ts' | 'cpp-ssl' | 'cpp';

/** Environment variables of one run (merged over the test's own environment). */
export type Env = Record<string, string>;

const ENV_VARS: Record<Exclude<Side, 'ts'>, string> = {
  'cpp-ssl': 'LIBPROCESS_SSL_PEER',
  cpp: 'LIBPROCESS_PEER',
};

/** The executable of a C++ peer: its variable, else the env file setup.sh writes. */
function peerCommand(side: Exclude<Side, 'ts'>): string | undefined {
  const name = ENV_VARS[side];
  if (process.env[name]) return process.env[name];
  const home =
    process.env.PEERS_HOME ?? join(homedir(), '.cache', 'libprocess-peers');
  try {
    const env = JSON.parse(
      readFileSync(join(home, 'env.json'), 'utf8'),
    ) as Record<string, string>;
    return env[name];
  } catch {
    return undefined;
  }
}

/** Whether both C++ peers (SSL and plain) and the `openssl` CLI are there. */
export function tlsPeersAvailability(): Availability {
  for (const side of ['cpp-ssl', 'cpp'] as const) {
    const command = peerCommand(side);
    if (!command) {
      return {
        ok: false,
        reason: `${ENV_VARS[side]} is not set`,
        installHint: PEERS_INSTALL_HINT,
      };
    }
    try {
      accessSync(command, constants.X_OK);
    } catch {
      return {
        ok: false,
        reason: `${ENV_VARS[side]}=${command} is not executable`,
        installHint: PEERS_INSTALL_HINT,
      };
    }
  }
  return { ok: true };
}

/** `LIBPROCESS_SSL_ENABLED=true` with `files` as the node's certificate. */
export function sslEnv(files: CertificateFiles, extra: Env = {}): Env {
  return {
    LIBPROCESS_SSL_ENABLED: 'true',
    LIBPROCESS_SSL_CERT_FILE: files.certFile,
    LIBPROCESS_SSL_KEY_FILE: files.keyFile,
    ...extra,
  };
}

/**
 * Starts `side` with `args`, configured by `env` over the test's environment. `SSL_CERT_FILE`
 * stays as the machine exports it (these machines do), which the runs prove harmless.
 */
export function start(side: Side, args: string[], env: Env): SpawnedProcess {
  const [command, argv] =
    side === 'ts'
      ? [process.execPath, [transpiledPath('peer/main.bundle.js'), ...args]]
      : [peerCommand(side)!, args];
  return SpawnedProcess.start(`${side} ${args[0]}`, command, argv, env);
}

/** Starts `serve` on a free loopback port; resolves with the process and the PID it printed. */
export async function serve(
  side: Side,
  env: Env,
): Promise<{ pid: string; process: SpawnedProcess }> {
  const child = start(side, ['serve', '--ip', '127.0.0.1', '--port', '0'], env);
  return { pid: await child.stdout.next(30_000), process: child };
}

/** Runs a client mode to completion: its JSON line (if any), exit code and stderr. */
export async function run(
  side: Side,
  args: string[],
  env: Env,
  deadlineMs = 60_000,
): Promise<{
  result: Record<string, any> | undefined;
  code: number | null;
  stderr: string;
}> {
  const child = start(side, args, env);
  const status = await child.waitForExit(deadlineMs);
  const line = child.stdout.seen.find((l) => l.startsWith('{'));
  return {
    result: line === undefined ? undefined : JSON.parse(line),
    code: status.code,
    stderr: child.stderr,
  };
}

/** `send --n <n>` from `side` to `to`, expected to be counted exactly. */
export async function expectDelivered(
  side: Side,
  to: string,
  env: Env,
  n = 2000,
): Promise<Record<string, any>> {
  const { result, code, stderr } = await run(
    side,
    ['send', '--to', to, '--n', `${n}`, '--size', '100', '--timeout', '60'],
    env,
  );
  expect({ result, code, stderr: code === 0 ? '' : stderr }).toMatchObject({
    result: { mode: 'send', to, n, server_count: n },
    code: 0,
  });
  return result!;
}

/** `send` from `side` to `to` that must not get its report answered (times out, exit 2). */
export async function expectNotDelivered(
  side: Side,
  to: string,
  env: Env,
): Promise<string> {
  const { result, code, stderr } = await run(
    side,
    ['send', '--to', to, '--n', '100', '--size', '100', '--timeout', '4'],
    env,
  );
  expect(result).toMatchObject({ mode: 'send', error: 'timeout' });
  expect(code).toBe(2);
  return stderr;
}
