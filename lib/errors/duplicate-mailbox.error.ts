import { DUPLICATE_MAILBOX, DUPLICATE_ROUTE } from '../actor.messages.js';
import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown at startup when one process declares the same mailbox (or route) twice.
 *
 * @publicApi
 */
export class DuplicateMailboxError extends LibprocessError {
  constructor(
    readonly processId: string,
    readonly mailbox: string,
    kind: 'mailbox' | 'route' = 'mailbox',
  ) {
    super(
      kind === 'mailbox'
        ? DUPLICATE_MAILBOX(processId, mailbox)
        : DUPLICATE_ROUTE(processId, mailbox),
    );
  }
}
