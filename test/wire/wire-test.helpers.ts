import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterEach, jest } from '@jest/globals';

import type { WireMessage, WireNodeOptions } from '../../lib/wire/index.js';
import { WireNode, type WireNodeHandlers } from '../../lib/wire/index.js';

/** A listening node on 127.0.0.1:0 that records what it receives. */
export async function startNode(
  handlers: Partial<WireNodeHandlers> = {},
  options: WireNodeOptions = {},
): Promise<{ node: WireNode; received: WireMessage[]; errors: Error[] }> {
  const received: WireMessage[] = [];
  const errors: Error[] = [];
  const node = new WireNode(
    { ip: '127.0.0.1', port: 0, shutdownGracePeriod: 500, ...options },
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

/** Resolves once `predicate` holds, polling on the event loop (rejects after `ms`). */
export async function until(
  predicate: () => boolean,
  ms = 5000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`Condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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

/**
 * Transpiles lib/wire to plain ESM JavaScript in a temp dir so that child Node processes (which
 * cannot load TypeScript) can run a real WireNode. Returns the URL of its index.js.
 */
export async function transpileWire(): Promise<{
  indexUrl: string;
  dir: string;
}> {
  const ts = (await import('typescript')).default;
  const source = fileURLToPath(new URL('../../lib/wire/', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'wire-'));
  const files = (await readdir(source, { recursive: true })).filter((f) =>
    f.endsWith('.ts'),
  );
  for (const file of files) {
    const { outputText } = ts.transpileModule(
      await readFile(join(source, file), 'utf8'),
      {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          useDefineForClassFields: false,
        },
      },
    );
    const target = join(dir, file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  return { indexUrl: pathToFileURL(join(dir, 'index.js')).href, dir };
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
