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
}
