import { NotListeningError } from '../errors/not-listening.error.js';
import { ProcessNotFoundError } from '../errors/process-not-found.error.js';
import { SenderRequiredError } from '../errors/sender-required.error.js';
import type { ProcessRef } from '../interfaces/actor-ref-options.interface.js';
import type { ProcessManager } from '../runtime/process-manager.js';
import type { ProcessRecord } from '../runtime/process-record.js';
import { recordOf } from '../runtime/process-table.js';
import { Upid } from '../wire/upid.js';

/** Parsed pids of string targets, so that sending to a string pid stays cheap. */
const UPID_CACHE_SIZE = 1024;

/**
 * Turns what an `ActorRef` caller names into what the runtime takes: a target (`Upid`, pid
 * string) into a `Upid`, a sender (an instance, a pid, or nothing: the process whose
 * handler runs) into its pid or record, a local process (instance, pid or bare id) into its
 * record. Every "no such process" and "no sender" error of `ActorRef` is thrown here.
 */
export class ProcessResolver {
  private readonly upids = new Map<string, Upid>();

  constructor(private readonly processManager: ProcessManager) {}

  /** The pid of a target; a string is parsed once and cached. */
  toUpid(to: Upid | string): Upid {
    if (to instanceof Upid) return to;
    let upid = this.upids.get(to);
    if (upid === undefined) {
      upid = Upid.parse(to);
      if (this.upids.size >= UPID_CACHE_SIZE) this.upids.clear();
      this.upids.set(to, upid);
    }
    return upid;
  }

  /** The pid a message is sent from: `from`, or the process whose handler runs. */
  senderOf(from: ProcessRef | undefined): Upid {
    if (from === undefined) {
      const current = this.processManager.current;
      if (current === null) throw new SenderRequiredError();
      return current.pid!;
    }
    if (from instanceof Upid || typeof from === 'string')
      return this.toUpid(from);
    const pid = this.recordOf(from).pid;
    if (pid === undefined) throw new NotListeningError('send messages');
    return pid;
  }

  /** The local process that links or asks: `from`, or the process whose handler runs. */
  senderRecord(from: ProcessRef | undefined): ProcessRecord {
    if (from === undefined) {
      const current = this.processManager.current;
      if (current === null) throw new SenderRequiredError();
      return current;
    }
    return this.targetRecord(from);
  }

  /** A local process by instance, pid or bare id. */
  targetRecord(process: ProcessRef): ProcessRecord {
    if (typeof process === 'string' && !process.includes('@')) {
      const record = this.processManager.get(process);
      if (record === undefined) throw new ProcessNotFoundError(process);
      return record;
    }
    if (process instanceof Upid || typeof process === 'string') {
      const pid = this.toUpid(process);
      const record = this.processManager.lookup(pid);
      if (record === undefined) throw new ProcessNotFoundError(String(pid));
      return record;
    }
    return this.recordOf(process);
  }

  /** The live process of an instance. */
  recordOf(instance: object): ProcessRecord {
    const record = recordOf(instance);
    if (record === undefined || record.terminated) {
      throw new ProcessNotFoundError(
        `An instance of ${instance.constructor?.name ?? 'Object'}`,
        true,
      );
    }
    return record;
  }
}
