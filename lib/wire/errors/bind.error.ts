import { formatHostPort } from '../wire.utils.js';
import { WireError } from './wire.error.js';

/**
 * The listener could not be bound (address in use, bad address, bad port).
 *
 * @publicApi
 */
export class BindError extends WireError {
  constructor(
    message: string,
    code: string,
    readonly ip: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(message, code, undefined, options);
  }

  /** The error of a listener that failed to bind `ip:port`, in words an operator acts on. */
  static fromListenError(
    ip: string,
    port: number,
    error: NodeJS.ErrnoException,
  ): BindError {
    return new BindError(
      `Cannot listen on ${formatHostPort(ip, port)}: ${describe(error)}`,
      error.code ?? 'EBIND',
      ip,
      port,
      { cause: error },
    );
  }
}

function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'address already in use';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine';
    case 'EACCES':
      return 'permission denied';
    default:
      return error.message;
  }
}
