import { NOT_A_PROCESS, PROCESS_NOT_FOUND } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown (or rejected) when an operation targets a local process that does not exist (any
 * more), or an object that is not a process.
 *
 * @publicApi
 */
export class ProcessNotFoundError extends LibprocessError {
  constructor(
    readonly pid: string,
    notAProcess = false,
  ) {
    super(notAProcess ? NOT_A_PROCESS(pid) : PROCESS_NOT_FOUND(pid));
  }
}
