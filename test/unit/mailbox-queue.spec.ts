import { describe, expect, it } from '@jest/globals';

import { MailboxQueue } from '../../lib/runtime/mailbox-queue.js';
import { EntryKind } from '../../lib/runtime/process-record.js';

/** Takes every entry as `kind:a:b:c`. */
function drain(queue: MailboxQueue): string[] {
  const taken: string[] = [];
  while (queue.length > 0) {
    const kind = queue.shift();
    taken.push(
      `${kind}:${String(queue.subject)}:${String(queue.name)}:${String(queue.body)}`,
    );
  }
  return taken;
}

const entries = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `0:${from + i}:b:c`);

describe('MailboxQueue', () => {
  it('keeps FIFO order across many blocks (a burst far larger than one block)', () => {
    const queue = new MailboxQueue();
    for (let i = 0; i < 5000; i++) queue.push(0, i, 'b', 'c', undefined);
    expect(queue.length).toBe(5000);
    expect(drain(queue)).toEqual(entries(0, 5000));
    expect(queue.length).toBe(0);
  });

  it('keeps order when entries arrive while it is drained', () => {
    const queue = new MailboxQueue();
    const taken: number[] = [];
    let next = 0;
    // Two in, one out, across block boundaries; then everything out.
    for (let round = 0; round < 3000; round++) {
      queue.push(0, next++, undefined, undefined, undefined);
      queue.push(0, next++, undefined, undefined, undefined);
      queue.shift();
      taken.push(queue.subject as number);
    }
    while (queue.length > 0) {
      queue.shift();
      taken.push(queue.subject as number);
    }
    expect(taken).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('is reused after it ran empty, at any block', () => {
    const queue = new MailboxQueue();
    for (const size of [3, 1, 700, 2, 1500, 0, 5]) {
      for (let i = 0; i < size; i++) queue.push(0, i, 'b', 'c', undefined);
      expect(drain(queue)).toEqual(entries(0, size));
      queue.idle();
    }
  });

  it('puts unshifted entries first, also in front of a full first block', () => {
    const queue = new MailboxQueue();
    queue.unshift(4, 'init');
    queue.push(0, 'm1', undefined, undefined, undefined);
    expect(drain(queue)).toEqual([
      '4:init:undefined:undefined',
      '0:m1:undefined:undefined',
    ]);
    for (let i = 0; i < 40; i++) queue.push(0, i, 'b', 'c', undefined);
    queue.unshift(4, 'first');
    queue.shift();
    queue.shift();
    queue.unshift(4, 'again');
    expect(drain(queue)).toEqual([
      '4:again:undefined:undefined',
      ...entries(1, 40),
    ]);
  });

  it('gives back the hold of a message from the wire with its kind, and counts such messages', () => {
    const queue = new MailboxQueue();
    const hold = { retain: () => undefined, release: () => undefined };
    queue.push(EntryKind.MESSAGE, 'wire', 'm', 'b', hold);
    queue.push(EntryKind.DISPATCH, 'task', undefined, undefined, undefined);
    queue.push(EntryKind.MESSAGE, 'local', 'm', 'b', undefined);
    expect(queue.count(EntryKind.MESSAGE)).toBe(2);
    expect(queue.count(EntryKind.DISPATCH)).toBe(1);
    const taken = [];
    while (queue.length > 0) {
      const kind = queue.shift();
      taken.push([kind, queue.subject, queue.hold]);
    }
    expect(taken).toEqual([
      [EntryKind.MESSAGE, 'wire', hold],
      [EntryKind.DISPATCH, 'task', undefined],
      [EntryKind.MESSAGE, 'local', undefined],
    ]);
  });

  it('drops the operands of the last taken entry when idle or disposed', () => {
    const queue = new MailboxQueue();
    const hold = { retain: () => undefined, release: () => undefined };
    queue.push(0, 'sender', 'name', Buffer.from('body'), hold);
    queue.shift();
    expect(queue.body).toEqual(Buffer.from('body'));
    expect(queue.hold).toBe(hold);
    queue.idle();
    expect([queue.subject, queue.name, queue.body, queue.hold]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    queue.push(1, 'task', undefined, undefined, undefined);
    queue.shift();
    queue.dispose();
    expect(queue.subject).toBeUndefined();
    // Usable again after dispose (a block is taken on the next entry).
    queue.push(0, 'later', 'b', 'c', undefined);
    expect(drain(queue)).toEqual(['0:later:b:c']);
  });
});
