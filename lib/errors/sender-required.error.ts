import { SENDER_REQUIRED } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when an `ActorRef` call needs a sending process and none can be inferred.
 *
 * @publicApi
 */
export class SenderRequiredError extends LibprocessError {
  constructor() {
    super(SENDER_REQUIRED());
  }
}
