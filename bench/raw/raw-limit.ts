import { fileURLToPath } from 'node:url';

import type { ProfileName } from '../bench-options.js';
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
  /** The profile whose send runs this limit goes with (absent in older results: `full`). */
  profile?: ProfileName;
  repeat: number;
  /** Messages of the measured run: the same N as the profile's send (steady) runs. */
  n?: number;
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
  profile: ProfileName,
  styles: readonly RawStyle[] = ['per-message', 'bulk'],
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const server = new LongRunningChild(process.execPath, [RAW_SOCKET, 'server']);
  try {
    const port = await server.waitForLine(/^\d+$/, 10_000);
    for (const style of styles) {
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
        // Two runs of n (one unmeasured) at well over 100,000 msgs/s even on a busy machine.
        60_000 + n / 20,
      );
      const line = lastJsonLine(result.stdout);
      records.push(
        line && result.code === 0
          ? { ...line, mode: 'raw', style, profile, repeat }
          : {
              mode: 'raw',
              style,
              profile,
              repeat,
              n,
              error: result.stderr.trim().slice(-300) || `exit ${result.code}`,
            },
      );
    }
  } finally {
    await server.stop();
  }
  return records;
}
