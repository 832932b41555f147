import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown (or rejected) when an operation targets a local process that does not exist (any
 * more), or an object that is not a process.
 *
 * @publicApi
 */
export class ProcessNotFoundError extends LibprocessError {
  constructor(
    readonly pid: string,
    notAProcess = false,
  ) {
    super(
      notAProcess
        ? `${pid} is not a libprocess process of this node (decorate its class with @Process() and register it as a provider, or spawn() it).`
        : `No process "${pid}" on this node.`,
    );
  }
}
