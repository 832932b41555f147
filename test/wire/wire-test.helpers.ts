import { spawn } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { afterEach, jest } from '@jest/globals';

import type { WireMessage, WireNodeOptions } from '../../lib/wire/index.js';
import { WireNode, type WireNodeHandlers } from '../../lib/wire/index.js';

/**
 * A listening node on 127.0.0.1:0 that records what it receives. Every error is emitted
 * (`errorIntervalMs: 0`) unless the options ask for coalescing.
 */
export async function startNode(
  handlers: Partial<WireNodeHandlers> = {},
  options: WireNodeOptions = {},
): Promise<{ node: WireNode; received: WireMessage[]; errors: Error[] }> {
  const received: WireMessage[] = [];
  const errors: Error[] = [];
  const node = new WireNode(
    {
      ip: '127.0.0.1',
      port: 0,
      shutdownGracePeriod: 500,
      errorIntervalMs: 0,
      ...options,
    },
    {
      onMessage: (from, to, name, body) => {
        received.push({ from, to, name, body });
        return true;
      },
      ...handlers,
    },
  );
  node.on('error', (error) => errors.push(error));
  await node.listen();
  return { node, received, errors };
}

/**
 * The per-test scope of a wire spec file (call once at its top level): `node()` starts a node
 * that is closed after the test, `onCleanup()` registers any other teardown. After each test
 * the cleanups run in reverse order and spies are restored.
 */
export function wireTestScope(): {
  node: typeof startNode;
  onCleanup: (cleanup: () => Promise<unknown> | unknown) => void;
} {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    jest.restoreAllMocks();
    while (cleanups.length > 0) await cleanups.pop()!();
  });
  return {
    node: async (...args) => {
      const started = await startNode(...args);
      cleanups.push(() => started.node.close());
      return started;
    },
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };
}

/** A raw client socket that collects everything the server writes back. */
export async function rawClient(port: number): Promise<{
  socket: Socket;
  text: () => string;
  closed: Promise<void>;
}> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => resolve()),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    text: () => Buffer.concat(chunks).toString('latin1'),
    closed,
  };
}

/** A server that accepts connections and never reads from them. */
export async function startSilentServer(): Promise<{
  server: Server;
  port: number;
  sockets: Socket[];
  close: () => Promise<void>;
}> {
  const sockets: Socket[] = [];
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port =
    typeof address === 'object' && address !== null ? address.port : 0;
  return {
    server,
    port,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Count the occurrences of `needle` in `text`. */
export function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Runs `code` (an ES module) in a child Node process; resolves with its exit and output. */
export function runNodeScript(
  code: string,
  timeoutMs: number,
): Promise<{
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

let collectGarbage: (() => void) | undefined;

/**
 * Heap plus ArrayBuffer bytes still reachable, after a full garbage collection: what the
 * process retains, for memory assertions against the bytes a test sent.
 */
export function retainedBytes(): number {
  if (collectGarbage === undefined) {
    setFlagsFromString('--expose-gc');
    collectGarbage = runInNewContext('gc') as () => void;
  }
  collectGarbage();
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Writes `data` honouring backpressure (waits for 'drain' when the socket asks to). */
export async function writeAll(
  socket: Socket,
  data: Buffer | string,
): Promise<void> {
  if (!socket.write(data)) {
    await new Promise((resolve) => socket.once('drain', resolve));
  }
}
