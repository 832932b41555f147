import { WireError } from './wire.error.js';

/**
 * An inbound request that violates HTTP framing or a configured limit. `status` is the
 * response the connection gets before it is closed (400, 413 or 431).
 *
 * @publicApi
 */
export class RequestParseError extends WireError {
  constructor(
    message: string,
    readonly status: 400 | 413 | 431,
  ) {
    super(message, status === 400 ? 'EBADREQUEST' : 'ELIMIT');
  }
}
