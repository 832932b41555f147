import { describe, expect, it } from '@jest/globals';

import { waitFor } from '../support/wait-for.js';

/** The suites' one polling helper: synchronous and asynchronous conditions alike. */
describe('waitFor', () => {
  it('resolves once a synchronous condition holds', async () => {
    let checks = 0;
    await waitFor(() => ++checks === 3);
    expect(checks).toBe(3);
  });

  it('awaits an asynchronous condition before the next check', async () => {
    let checks = 0;
    let running = 0;
    let overlapped = false;
    await waitFor(async () => {
      overlapped ||= running > 0;
      running++;
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return ++checks === 3;
    });
    expect(checks).toBe(3);
    expect(overlapped).toBe(false);
  });

  it('rejects naming what it waited for when the condition never holds', async () => {
    await expect(
      waitFor(async () => false, 20, 'the answer', { intervalMs: 1 }),
    ).rejects.toThrow('timed out after 20 ms waiting for the answer');
  });

  it('ends at once with the error of a condition that throws or rejects', async () => {
    await expect(
      waitFor(() => {
        throw new Error('the peer died');
      }, 60_000),
    ).rejects.toThrow('the peer died');
    await expect(
      waitFor(() => Promise.reject(new Error('HTTP 503')), 60_000),
    ).rejects.toThrow('HTTP 503');
  });

  it('waits intervalMs between two checks', async () => {
    const at: number[] = [];
    await waitFor(
      () => {
        at.push(performance.now());
        return at.length === 2;
      },
      60_000,
      'two checks',
      { intervalMs: 50 },
    );
    // A lower bound only (a late timer is fine; Node's timers may fire a fraction of a
    // millisecond early): the default interval of 5 ms would fail it.
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(45);
  });
});
