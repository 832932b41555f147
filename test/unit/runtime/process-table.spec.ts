import { describe, expect, it } from '@jest/globals';

import {
  DuplicateProcessError,
  InvalidUpidError,
  LibprocessError,
  Upid,
} from '../../../lib/index.js';
import {
  EMPTY_DEFINITION,
  mailboxesOnly,
} from '../../../lib/runtime/process-definition.js';
import { ProcessTable, recordOf } from '../../../lib/runtime/process-table.js';

describe('ProcessTable', () => {
  it('adds, finds and removes processes by id, and links each instance to its record', () => {
    const table = new ProcessTable();
    const instance = {};
    const record = table.add('worker', instance, EMPTY_DEFINITION, []);
    expect(table.get('worker')).toBe(record);
    expect(recordOf(instance)).toBe(record);
    expect(table.size).toBe(1);
    expect(table.remove(record)).toBe(true);
    expect(table.get('worker')).toBeUndefined();
    expect(recordOf(instance)).toBeUndefined();
    expect(table.remove(record)).toBe(false);
  });

  it('rejects a taken id, naming both classes', () => {
    const table = new ProcessTable();
    table.add('master', null, mailboxesOnly('MasterProcess', []), []);
    let error: unknown;
    try {
      table.add('master', null, mailboxesOnly('OtherMaster', []), []);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DuplicateProcessError);
    expect((error as Error).message).toBe(
      'A process with the id "master" already exists on this node (MasterProcess; OtherMaster asked for the same id). Process ids must be unique per node.',
    );
  });

  it('rejects an id that is not a valid pid id, and an instance that already is a process', () => {
    const table = new ProcessTable();
    expect(() => table.add('a b', null, EMPTY_DEFINITION, [])).toThrow(
      InvalidUpidError,
    );
    const instance = {};
    table.add('one', instance, EMPTY_DEFINITION, []);
    expect(() => table.add('two', instance, EMPTY_DEFINITION, [])).toThrow(
      LibprocessError,
    );
    expect(table.get('two')).toBeUndefined();
  });

  it('generates ids base(N) counting per base and skipping taken ones', () => {
    const table = new ProcessTable();
    table.add('ask(2)', null, EMPTY_DEFINITION, []);
    expect(table.generateId('ask')).toBe('ask(1)');
    table.add('ask(1)', null, EMPTY_DEFINITION, []);
    expect(table.generateId('ask')).toBe('ask(3)');
    expect(table.generateId('client')).toBe('client(1)');
  });

  it('treats pids of its own address as local, others as remote', () => {
    const table = new ProcessTable();
    const record = table.add('p', null, EMPTY_DEFINITION, []);
    const here = new Upid('p', '10.0.0.1', 5050);
    expect(table.lookup(here)).toBeUndefined();
    table.setLocalAddress('10.0.0.1:5050');
    expect(table.isLocal(here)).toBe(true);
    expect(table.lookup(here)).toBe(record);
    expect(table.lookup(new Upid('p', '10.0.0.2', 5050))).toBeUndefined();
    expect(table.lookup(new Upid('q', '10.0.0.1', 5050))).toBeUndefined();
  });
});
