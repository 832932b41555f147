import { DUPLICATE_PROCESS } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when two processes of one node get the same id (at startup, or by `spawn()`).
 *
 * @publicApi
 */
export class DuplicateProcessError extends LibprocessError {
  constructor(readonly processId: string) {
    super(DUPLICATE_PROCESS(processId));
  }
}
