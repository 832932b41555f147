import { EventEmitter } from 'node:events';

import { beforeEach, describe, expect, it } from '@jest/globals';

import { NotListeningError, Upid } from '../../../lib/index.js';
import { EntryRunner } from '../../../lib/runtime/entry-runner.js';
import {
  EMPTY_DEFINITION,
  type ProcessDefinition,
} from '../../../lib/runtime/process-definition.js';
import { ProcessLinks } from '../../../lib/runtime/process-links.js';
import type { ProcessRecord } from '../../../lib/runtime/process-record.js';
import { ProcessTable } from '../../../lib/runtime/process-table.js';
import { RunLoop } from '../../../lib/runtime/run-loop.js';
import { createPlainContext } from '../../../lib/runtime/runtime.interfaces.js';
import { MemoryTransport, RecordingLogger } from './runtime-test.helpers.js';

/** A definition whose `@OnLinked` / `@OnExited` hooks exist (they queue an entry). */
const WITH_HOOKS: ProcessDefinition = {
  ...EMPTY_DEFINITION,
  onLinked: ['linked'],
  onExited: ['exited'],
};

/** Links without a socket: the wire's side is a `MemoryTransport`, the run loop never runs. */
describe('ProcessLinks', () => {
  let table: ProcessTable;
  let node: MemoryTransport;
  let events: EventEmitter;
  let seen: string[];
  let links: ProcessLinks;

  function add(id: string, definition = WITH_HOOKS): ProcessRecord {
    const record = table.add(id, null, definition, []);
    record.pid = node.pid(id);
    return record;
  }

  beforeEach(() => {
    table = new ProcessTable();
    node = new MemoryTransport();
    table.setLocalAddress(node.pid('x').address);
    events = new EventEmitter();
    seen = [];
    events.on('linked', (from, to) => seen.push(`linked ${from} -> ${to}`));
    events.on('exited', (from, to) => seen.push(`exited ${from} -> ${to}`));
    // Not started: hook entries stay queued, where the test counts them.
    const runLoop = new RunLoop(
      new EntryRunner(new RecordingLogger(), createPlainContext),
    );
    links = new ProcessLinks(table, runLoop, events);
    links.attach(node);
  });

  it('links locally once, and queues the hook only for a process that has one', () => {
    const a = add('a');
    const b = add('b', EMPTY_DEFINITION);
    links.link(a, b.pid!);
    links.link(a, b.pid!);
    links.link(b, a.pid!);
    expect(seen).toEqual([
      'linked a@127.0.0.1:5050 -> b@127.0.0.1:5050',
      'linked b@127.0.0.1:5050 -> a@127.0.0.1:5050',
    ]);
    expect(a.queueDepth).toBe(1);
    expect(b.queueDepth).toBe(0);
    expect(links.linksOf(a).map(String)).toEqual(['b@127.0.0.1:5050']);
  });

  it('reports exited at once for a link to a local process that does not exist', () => {
    const a = add('a');
    links.link(a, node.pid('ghost'));
    expect(seen).toEqual(['exited a@127.0.0.1:5050 -> ghost@127.0.0.1:5050']);
    expect(a.queueDepth).toBe(1);
    expect(links.linksOf(a)).toEqual([]);
  });

  it('hands remote links to the wire and turns its reports into notifications', () => {
    const a = add('a');
    const remote = new Upid('echo', '10.0.0.2', 5051);
    links.link(a, remote);
    expect(links.linksOf(a)).toEqual([remote]);
    node.emit('linked', a.pid!, remote);
    node.emit('exited', a.pid!, remote);
    // A report for a pid that is no longer a process here is only an event.
    node.emit('exited', node.pid('gone'), remote);
    expect(seen).toEqual([
      'linked a@127.0.0.1:5050 -> echo@10.0.0.2:5051',
      'exited a@127.0.0.1:5050 -> echo@10.0.0.2:5051',
      'exited gone@127.0.0.1:5050 -> echo@10.0.0.2:5051',
    ]);
    expect(a.queueDepth).toBe(2);
  });

  it('removing a process closes its remote links and tells each local linker once', () => {
    const a = add('a');
    const b = add('b');
    const remote = new Upid('echo', '10.0.0.2', 5051);
    links.link(b, remote);
    links.link(a, b.pid!);
    seen.length = 0;
    links.removeProcess(b);
    links.removeProcess(b);
    expect(node.linksOf(b.pid!)).toEqual([]);
    expect(seen).toEqual(['exited a@127.0.0.1:5050 -> b@127.0.0.1:5050']);
    expect(links.linksOf(a)).toEqual([]);
  });

  it('stops listening to the wire once detached', () => {
    const a = add('a');
    links.detach();
    node.emit('exited', a.pid!, new Upid('echo', '10.0.0.2', 5051));
    expect(seen).toEqual([]);
    expect(() => links.link(a, new Upid('echo', '10.0.0.2', 5051))).toThrow(
      NotListeningError,
    );
  });
});
