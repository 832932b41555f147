import { DuplicateProcessError } from '../errors/duplicate-process.error.js';
import { LibprocessError } from '../errors/libprocess.error.js';
import { checkProcessId, type Upid } from '../wire/upid.js';
import type {
  MailboxHandler,
  ProcessDefinition,
} from './process-definition.js';
import { ProcessRecord } from './process-record.js';

/** Where an instance keeps its record (a symbol: invisible to the user's own fields). */
const PROCESS_RECORD = Symbol('libprocess:process');

type WithRecord = { [PROCESS_RECORD]?: ProcessRecord };

/** Returns the live process record of an instance, if it is a process. */
export function recordOf(instance: object): ProcessRecord | undefined {
  return (instance as WithRecord)[PROCESS_RECORD];
}

/**
 * The processes of one node by id (libprocess' `ProcessManager::processes`), the ids
 * generated for spawned ones, and the link from each instance to its record. It only keeps
 * the table: scheduling and links live elsewhere.
 */
export class ProcessTable {
  private readonly byId = new Map<string, ProcessRecord>();
  private readonly idCounters = new Map<string, number>();
  /** `ip:port` of this node once it listens: pids with it are local. */
  private localAddress: string | undefined;

  get size(): number {
    return this.byId.size;
  }

  /**
   * Adds a process.
   * @throws DuplicateProcessError when the id is taken; LibprocessError when the instance
   *   already is a live process; InvalidUpidError when the id is not a valid pid id
   */
  add(
    id: string,
    instance: object | null,
    definition: ProcessDefinition,
    handlers: readonly MailboxHandler[],
    ephemeral = false,
  ): ProcessRecord {
    const existing = this.byId.get(id);
    if (existing !== undefined) {
      throw new DuplicateProcessError(
        id,
        existing.definition.className,
        definition.className,
      );
    }
    checkProcessId(id);
    const record = new ProcessRecord(
      id,
      instance,
      definition,
      handlers,
      ephemeral,
    );
    if (instance !== null) {
      const previous = recordOf(instance);
      if (previous !== undefined && !previous.terminated) {
        throw new LibprocessError(
          `This instance is already the process "${String(previous.pid ?? previous.id)}"; an instance can be spawned only once.`,
        );
      }
      Object.defineProperty(instance, PROCESS_RECORD, {
        value: record,
        configurable: true,
        writable: true,
      });
    }
    this.byId.set(id, record);
    return record;
  }

  /** Removes a process (and the instance's link to it); false when it was not in the table. */
  remove(record: ProcessRecord): boolean {
    if (record.instance !== null && recordOf(record.instance) === record) {
      delete (record.instance as WithRecord)[PROCESS_RECORD];
    }
    if (this.byId.get(record.id) !== record) return false;
    this.byId.delete(record.id);
    return true;
  }

  /** A free id `base(N)`, N counting up per base as libprocess' `ID::generate`. */
  generateId(base: string): string {
    let n = this.idCounters.get(base) ?? 0;
    let id: string;
    do {
      // Joined: a flat string (a template literal keeps a rope alive with the process).
      id = [base, '(', ++n, ')'].join('');
    } while (this.byId.has(id));
    this.idCounters.set(base, n);
    return id;
  }

  get(id: string): ProcessRecord | undefined {
    return this.byId.get(id);
  }

  /** Makes pids with `address` (`ip:port`) local; undefined before the node listens. */
  setLocalAddress(address: string | undefined): void {
    this.localAddress = address;
  }

  isLocal(pid: Upid): boolean {
    return pid.address === this.localAddress;
  }

  /** The process of a pid, when the pid is of this node. */
  lookup(pid: Upid): ProcessRecord | undefined {
    return pid.address === this.localAddress
      ? this.byId.get(pid.id)
      : undefined;
  }

  values(): IterableIterator<ProcessRecord> {
    return this.byId.values();
  }
}
