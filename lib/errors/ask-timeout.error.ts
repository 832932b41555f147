import { LibprocessError } from './libprocess.error.js';

/**
 * Rejects `ActorRef.ask()` when the reply did not arrive in time.
 *
 * @publicApi
 */
export class AskTimeoutError extends LibprocessError {
  constructor(
    readonly to: string,
    readonly request: string,
    readonly reply: string,
    readonly timeoutMs: number,
  ) {
    super(
      `No "${reply}" from "${to}" within ${timeoutMs} ms after sending "${request}".`,
    );
  }
}
