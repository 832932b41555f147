import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when two processes of one node get the same id (at startup, or by `spawn()`).
 *
 * @publicApi
 */
export class DuplicateProcessError extends LibprocessError {
  constructor(
    readonly processId: string,
    /** Class of the process that has the id, and of the one that asked for it (when known). */
    readonly existingClass?: string,
    readonly newClass?: string,
  ) {
    super(
      `A process with the id "${processId}" already exists on this node${
        existingClass !== undefined
          ? ` (${existingClass}${newClass !== undefined ? `; ${newClass} asked for the same id` : ''})`
          : ''
      }. Process ids must be unique per node.`,
    );
  }
}
