import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when an `ActorRef` call needs a sending process and none can be inferred.
 *
 * @publicApi
 */
export class SenderRequiredError extends LibprocessError {
  constructor() {
    super(
      'No sender: ActorRef calls outside the synchronous part of a process handler (e.g. after an await, or outside any process) must pass { from: this } or { from: <Upid> }.',
    );
  }
}
