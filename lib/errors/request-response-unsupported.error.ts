import { REQUEST_RESPONSE_UNSUPPORTED } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Emitted by `LibprocessClient.send()`: libprocess messages are one-way.
 *
 * @publicApi
 */
export class RequestResponseUnsupportedError extends LibprocessError {
  constructor() {
    super(REQUEST_RESPONSE_UNSUPPORTED());
  }
}
