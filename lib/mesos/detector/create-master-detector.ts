import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { MasterDetector } from './master-detector.interface.js';
import { StandaloneMasterDetector } from './standalone.detector.js';
import {
  parseZooKeeperUrl,
  ZooKeeperMasterDetector,
} from './zookeeper.detector.js';

/** A `--master` value libmesos accepts (`MasterDetector::create`). */
export class InvalidMasterError extends Error {
  override readonly name = 'InvalidMasterError';
}

/**
 * The detector of a master address, as libmesos reads `--master`:
 * - `host:port` or `master@host:port`: {@link StandaloneMasterDetector} (follows a 307 to the leader);
 * - `zk://[user:pass@]h1:p1,h2:p2/path`: {@link ZooKeeperMasterDetector};
 * - `file:///path`: a file holding one of the above (read once, as libmesos does).
 * @throws InvalidMasterError when the value is none of these
 * @publicApi
 */
export function createMasterDetector(master: string): MasterDetector {
  const value = master.trim();
  if (value.startsWith('zk://')) {
    try {
      parseZooKeeperUrl(value);
    } catch (error) {
      throw new InvalidMasterError((error as Error).message);
    }
    return new ZooKeeperMasterDetector(value);
  }
  if (value.startsWith('file://')) {
    let content: string;
    try {
      content = readFileSync(fileURLToPath(value), 'utf8').trim();
    } catch (error) {
      throw new InvalidMasterError(
        `Cannot read the master from ${value}: ${(error as Error).message}`,
      );
    }
    if (content.startsWith('file://')) {
      throw new InvalidMasterError(`${value} names another file: ${content}`);
    }
    return createMasterDetector(content);
  }
  const match = /^(?:master@)?(\[[^\]]+\]|[^\s:@/[\]]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port <= 0 || port > 65535) {
    throw new InvalidMasterError(
      `Invalid master ${JSON.stringify(master)}: expected host:port, zk://[user:pass@]host:port[,...]/path or file:///path`,
    );
  }
  return new StandaloneMasterDetector(match[1].replace(/^\[|\]$/g, ''), port);
}
