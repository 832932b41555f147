import { describe, expect, it } from '@jest/globals';

import {
  addLocalLink,
  detachLocalLinks,
  localLinkTargets,
  removeLocalLink,
} from '../../../lib/runtime/local-links.js';
import { EMPTY_DEFINITION } from '../../../lib/runtime/process-definition.js';
import { ProcessRecord } from '../../../lib/runtime/process-record.js';

const process = (id: string) =>
  new ProcessRecord(id, null, EMPTY_DEFINITION, []);

describe('local links', () => {
  it('links once, unlinks once', () => {
    const a = process('a');
    const b = process('b');
    expect(addLocalLink(a, b)).toBe(true);
    expect(addLocalLink(a, b)).toBe(false);
    expect(localLinkTargets(a)).toEqual([b]);
    expect(localLinkTargets(b)).toEqual([]);
    expect(removeLocalLink(a, b)).toBe(true);
    expect(removeLocalLink(a, b)).toBe(false);
    expect(localLinkTargets(a)).toEqual([]);
    expect([...(b.linkers ?? [])]).toEqual([]);
  });

  it('detaching a process returns who linked to it and forgets its links both ways', () => {
    const a = process('a');
    const b = process('b');
    const c = process('c');
    const d = process('d');
    addLocalLink(a, c);
    addLocalLink(b, c);
    addLocalLink(c, d);
    expect(detachLocalLinks(c)).toEqual([a, b]);
    expect(localLinkTargets(a)).toEqual([]);
    expect(localLinkTargets(b)).toEqual([]);
    expect([...(d.linkers ?? [])]).toEqual([]);
    // Nothing is reported twice.
    expect(detachLocalLinks(c)).toEqual([]);
  });
});
