import { LibprocessError } from './libprocess.error.js';

/**
 * Rejects a `dispatch()` (or a pending `ask()`) whose process was terminated, or whose node
 * shut down, before it ran.
 *
 * @publicApi
 */
export class ProcessTerminatedError extends LibprocessError {
  constructor(readonly pid: string) {
    super(`Process "${pid}" terminated before the call ran.`);
  }
}
