import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MesosSchedulerCallbacks } from '../../lib/mesos/scheduler/interfaces/scheduler.interface.js';
import { SchedulerCallbacks } from '../../lib/mesos/scheduler/scheduler-callbacks.js';
import { type LoggerSpy, spyOnLogger } from '../support/logger-spy.js';

describe('SchedulerCallbacks (the driver calling the user scheduler)', () => {
  let errors: LoggerSpy;
  let stops: boolean[];
  beforeEach(() => {
    errors = spyOnLogger('error');
    stops = [];
  });
  afterEach(() => errors.restore());

  const callbacks = (scheduler: MesosSchedulerCallbacks) =>
    new SchedulerCallbacks(scheduler, (failover) => stops.push(failover));

  it('answers true for a success or a callback the scheduler does not have, false for a throw (logged)', () => {
    const c = callbacks({
      disconnected: () => undefined,
      error: () => {
        throw new Error('boom');
      },
    });
    expect(c.invoke('disconnected')).toBe(true);
    expect(c.invoke('slaveLost', { value: 'a' })).toBe(true);
    expect(c.invoke('error', 'bad')).toBe(false);
    expect(errors.messages()).toEqual([
      'Scheduler callback error failed: boom',
    ]);
  });

  it("answers an async callback's promise and logs its rejection", async () => {
    const c = callbacks({ error: () => Promise.reject(new Error('later')) });
    const result = c.invoke('error', 'bad');
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow('later');
    expect(errors.messages()).toEqual([
      'Scheduler callback error failed: later',
    ]);
  });

  it('stops at once when no callback runs', () => {
    const c = callbacks({});
    expect(c.deferStop(true)).toBe(false);
    expect(stops).toEqual([]);
  });

  it('runs a stop() asked for from a callback once the callback returned, the first ask winning', () => {
    const c: SchedulerCallbacks = callbacks({
      disconnected: () => {
        expect(c.deferStop(true)).toBe(true);
        expect(c.deferStop(false)).toBe(true);
        expect(stops).toEqual([]);
      },
    });
    c.invoke('disconnected');
    expect(stops).toEqual([true]);
  });

  it('holds the stop until the end of a held section around the callback (then the acknowledgement goes first)', () => {
    const order: string[] = [];
    const c: SchedulerCallbacks = callbacks({
      statusUpdate: () => {
        c.deferStop(false);
      },
    });
    c.hold(() => {
      c.invoke('statusUpdate', {
        task_id: { value: 't' },
        state: 'TASK_FINISHED',
      });
      order.push(`acknowledged, stops: ${stops.length}`);
    });
    order.push(`held section done, stops: ${stops.length}`);
    expect(order).toEqual([
      'acknowledged, stops: 0',
      'held section done, stops: 1',
    ]);
    expect(stops).toEqual([false]);
  });
});
