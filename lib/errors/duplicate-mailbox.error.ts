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
        ? `Process "${processId}" declares the mailbox "${mailbox}" more than once. A message name can have only one handler per process.`
        : `Process "${processId}" declares the route "${mailbox}" more than once.`,
    );
  }
}
