import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';

export type LoggerLevel =
  'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** What {@link spyOnLogger} returns: the lines logged so far, and a way to stop spying. */
export interface LoggerSpy {
  /** The first argument (the message) of every call, in order. */
  messages(): unknown[];
  /** How many lines were logged at this level. */
  readonly count: number;
  /** Puts the real method back. Call it in `finally` or `afterEach`. */
  restore(): void;
}

/**
 * Silences and records what every Nest `Logger` instance writes at `level`: for tests that
 * assert a failure is logged (once, with the process and mailbox) without printing it.
 */
export function spyOnLogger(level: LoggerLevel): LoggerSpy {
  const spy = jest
    .spyOn(Logger.prototype, level)
    .mockImplementation(() => undefined);
  return {
    messages: () => spy.mock.calls.map((call) => call[0]),
    get count() {
      return spy.mock.calls.length;
    },
    restore: () => spy.mockRestore(),
  };
}
