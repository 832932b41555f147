import type { MasterInfo } from '../mesos.types.js';

/**
 * Finds the leading Mesos master, as libmesos' `MasterDetector` does: a fixed address (following a
 * non-leader's redirect), ZooKeeper, or a file naming either.
 * @publicApi
 */
export interface MasterDetector {
  /** What it watches, for logs: `127.0.0.1:5050`, `zk://h1:2181/mesos`. */
  readonly description: string;
  /**
   * The leading master now; `undefined` when none is known (no leader elected, ZooKeeper not
   * reachable yet). Never rejects: a failed look-up is logged and answered `undefined`.
   */
  detect(): Promise<MasterInfo | undefined>;
  /**
   * Registers a listener for leader changes the detector notices by itself (ZooKeeper watches).
   * Detectors that only answer `detect()` never call it.
   */
  onChange(listener: (leader: MasterInfo | undefined) => void): void;
  /** Releases what it holds (the ZooKeeper session). */
  close(): Promise<void>;
}
