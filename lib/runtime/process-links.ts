import type { EventEmitter } from 'node:events';

import { NotListeningError } from '../errors/not-listening.error.js';
import type { Upid } from '../wire/upid.js';
import {
  addLocalLink,
  detachLocalLinks,
  localLinkTargets,
  removeLocalLink,
} from './local-links.js';
import { EntryKind, type ProcessRecord } from './process-record.js';
import type { ProcessTable } from './process-table.js';
import type { RunLoop } from './run-loop.js';
import { RuntimeCounters } from './runtime-metrics.js';
import type { RuntimeTransport } from './runtime.interfaces.js';

/**
 * The links of this node's processes (libprocess' `link()` and `ExitedEvent`): a link to a
 * local process is kept in the two records (local-links.ts), a link to a remote one by the
 * wire, which reports its socket's fate. Both end in the same notifications: a 'linked' /
 * 'exited' event of the runtime, and the process' `@OnLinked` / `@OnExited` hooks run on
 * its queue.
 */
export class ProcessLinks {
  private node: RuntimeTransport | undefined = undefined;

  constructor(
    private readonly table: ProcessTable,
    private readonly runLoop: RunLoop,
    /** The runtime's 'linked' / 'exited' events. */
    private readonly events: EventEmitter,
    /** Counts the exits (metrics). */
    private readonly counters = new RuntimeCounters(),
  ) {}

  /** Takes remote links to `node` and its reports about them (the runtime listens). */
  attach(node: RuntimeTransport): void {
    this.node = node;
    node.on('linked', this.onWireLinked);
    node.on('exited', this.onWireExited);
  }

  /** Stops listening to the wire's reports (the runtime stopped). */
  detach(): void {
    this.node?.off('linked', this.onWireLinked);
    this.node?.off('exited', this.onWireExited);
    this.node = undefined;
  }

  link(record: ProcessRecord, to: Upid): void {
    if (this.table.isLocal(to)) {
      const target = this.table.get(to.id);
      if (target === record) return;
      if (target === undefined || target.terminated) {
        // As libprocess: linking to a process that does not exist reports its exit at once.
        this.notifyExited(record, to);
      } else if (addLocalLink(record, target)) {
        this.notifyLinked(record, to);
      }
      return;
    }
    if (this.node === undefined) throw new NotListeningError('link');
    this.node.link(record.pid!, to);
  }

  unlink(record: ProcessRecord, to: Upid): void {
    if (this.table.isLocal(to)) {
      const target = this.table.get(to.id);
      if (target !== undefined) removeLocalLink(record, target);
      return;
    }
    this.node?.unlink(record.pid!, to);
  }

  /** The pids a process linked to (local and remote). */
  linksOf(record: ProcessRecord): Upid[] {
    const links = localLinkTargets(record).map((target) => target.pid!);
    if (this.node !== undefined && record.pid !== undefined) {
      links.push(...this.node.linksOf(record.pid));
    }
    return links;
  }

  /**
   * Ends every link from and to a process that is going away: its remote links are closed,
   * and each local process linked to it gets `exited` once.
   */
  removeProcess(record: ProcessRecord): void {
    if (this.node !== undefined && record.pid !== undefined) {
      for (const to of this.node.linksOf(record.pid)) {
        this.node.unlink(record.pid, to);
      }
    }
    for (const linker of detachLocalLinks(record)) {
      this.notifyExited(linker, record.pid!);
    }
  }

  private notifyLinked(record: ProcessRecord, to: Upid): void {
    this.events.emit('linked', record.pid, to);
    if (record.definition.onLinked.length > 0) {
      this.runLoop.enqueue(record, EntryKind.LINKED, to);
    }
  }

  private notifyExited(record: ProcessRecord, to: Upid): void {
    this.counters.linkExits++;
    this.events.emit('exited', record.pid, to);
    if (record.definition.onExited.length > 0) {
      this.runLoop.enqueue(record, EntryKind.EXITED, to);
    }
  }

  /** A remote link is up; reported for a pid that is no longer ours as an event only. */
  private readonly onWireLinked = (from: Upid, to: Upid): void => {
    const record = this.table.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyLinked(record, to);
    } else {
      this.events.emit('linked', from, to);
    }
  };

  /** A remote link's socket closed or could not be opened. */
  private readonly onWireExited = (from: Upid, to: Upid): void => {
    const record = this.table.get(from.id);
    if (record !== undefined && record.pid?.equals(from)) {
      this.notifyExited(record, to);
    } else {
      this.counters.linkExits++;
      this.events.emit('exited', from, to);
    }
  };
}
