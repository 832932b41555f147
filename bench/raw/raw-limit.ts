import { fileURLToPath } from 'node:url';

import {
  LongRunningChild,
  lastJsonLine,
  runChild,
} from '../support/child-process.js';

export type RawStyle = 'per-message' | 'bulk';

/** One raw-limit measurement (fields as printed by raw-socket.ts). */
export interface RawRecord {
  mode: 'raw';
  style: RawStyle;
  repeat: number;
  msgs_per_sec?: number;
  mb_per_sec?: number;
  error?: string;
  [field: string]: unknown;
}

const RAW_SOCKET = fileURLToPath(new URL('./raw-socket.js', import.meta.url));

/**
 * Measures the loopback limit for libprocess framing once per style: a fresh byte-counting
 * server process and a writer process, as the peers run (two processes, two cores).
 */
export async function runRawLimit(
  n: number,
  size: number,
  repeat: number,
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const server = new LongRunningChild(process.execPath, [RAW_SOCKET, 'server']);
  try {
    const port = await server.waitForLine(/^\d+$/, 10_000);
    for (const style of ['per-message', 'bulk'] as const) {
      const result = await runChild(
        process.execPath,
        [
          RAW_SOCKET,
          'writer',
          '--port',
          port,
          '--n',
          String(n),
          '--size',
          String(size),
          '--style',
          style,
        ],
        60_000,
      );
      const line = lastJsonLine(result.stdout);
      records.push(
        line && result.code === 0
          ? { ...line, mode: 'raw', style, repeat }
          : {
              mode: 'raw',
              style,
              repeat,
              error: result.stderr.trim().slice(-300) || `exit ${result.code}`,
            },
      );
    }
  } finally {
    await server.stop();
  }
  return records;
}
