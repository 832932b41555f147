import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when an operation needs this node's address before the server listens.
 *
 * @publicApi
 */
export class NotListeningError extends LibprocessError {
  constructor(action: string) {
    super(
      `Cannot ${action} before the libprocess server listens (processes get their pid from its address). Do it in an @OnInitialize() hook or after app.listen().`,
    );
  }
}
