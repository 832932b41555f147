import { LibprocessError } from './libprocess.error.js';

/**
 * Emitted by `LibprocessClient.send()`: libprocess messages are one-way.
 *
 * @publicApi
 */
export class RequestResponseUnsupportedError extends LibprocessError {
  constructor() {
    super(
      'libprocess is one-way: LibprocessClient.send() (request-response) is not supported. Use emit(), or ActorRef.ask(to, name, body, { reply }) to await a reply message.',
    );
  }
}
