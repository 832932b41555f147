import { NOT_LISTENING } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when an operation needs this node's address before the server listens.
 *
 * @publicApi
 */
export class NotListeningError extends LibprocessError {
  constructor(action: string) {
    super(NOT_LISTENING(action));
  }
}
