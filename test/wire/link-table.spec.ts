import { describe, expect, it } from '@jest/globals';

import { Upid } from '../../lib/wire/index.js';
import { LinkTable } from '../../lib/wire/link-table.js';

const pid = (text: string) => Upid.parse(text);

describe('LinkTable', () => {
  it('records each link once, by linking process and by remote address', () => {
    const table = new LinkTable();
    const x = pid('x@127.0.0.1:1');
    const echo = pid('echo@127.0.0.1:5050');
    const master = pid('master@127.0.0.1:5050');
    expect(table.add(x, echo)).toMatchObject({
      from: x,
      to: echo,
      announced: false,
    });
    // Equal PIDs in other objects are the same link.
    expect(
      table.add(pid('x@127.0.0.1:1'), pid('echo@127.0.0.1:5050')),
    ).toBeUndefined();
    table.add(x, master);
    table.add(pid('y@127.0.0.1:1'), echo);
    table.add(x, pid('echo@[::1]:5050'));
    expect(table.size).toBe(4);
    expect(table.linksOf(x).map(String)).toEqual([
      'echo@127.0.0.1:5050',
      'master@127.0.0.1:5050',
      'echo@[::1]:5050',
    ]);
    expect(
      [...table.at('127.0.0.1:5050')].map((l) => `${l.from.id}->${l.to.id}`),
    ).toEqual(['x->echo', 'x->master', 'y->echo']);
    expect([...table.at('[::1]:5050')]).toHaveLength(1);
    expect([...table.at('127.0.0.1:9')]).toEqual([]);
  });

  it('removes a link from both indexes', () => {
    const table = new LinkTable();
    const x = pid('x@127.0.0.1:1');
    const echo = pid('echo@127.0.0.1:5050');
    table.add(x, echo);
    expect(table.remove(x, pid('other@127.0.0.1:5050'))).toBe(false);
    expect(table.remove(pid('x@127.0.0.1:1'), echo)).toBe(true);
    expect(table.remove(x, echo)).toBe(false);
    expect(table.linksOf(x)).toEqual([]);
    expect([...table.at(echo.address)]).toEqual([]);
    expect(table.size).toBe(0);
    // A removed link can be made again.
    expect(table.add(x, echo)).toBeDefined();
  });

  it('takes every link to an address at once (its connection closed), leaving the others', () => {
    const table = new LinkTable();
    const x = pid('x@127.0.0.1:1');
    table.add(x, pid('a@10.0.0.1:1'));
    table.add(x, pid('b@10.0.0.1:1'));
    table.add(pid('y@127.0.0.1:1'), pid('a@10.0.0.1:1'));
    table.add(x, pid('c@10.0.0.2:1'));
    const taken = table.takeAt('10.0.0.1:1');
    expect(taken.map((l) => `${l.from.id}->${l.to.id}`)).toEqual([
      'x->a',
      'x->b',
      'y->a',
    ]);
    expect(table.takeAt('10.0.0.1:1')).toEqual([]);
    expect(table.linksOf(x).map(String)).toEqual(['c@10.0.0.2:1']);
    expect(table.linksOf(pid('y@127.0.0.1:1'))).toEqual([]);
    expect(table.size).toBe(1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.linksOf(x)).toEqual([]);
  });
});
