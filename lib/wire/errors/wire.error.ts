/**
 * A failure of the wire layer (network, backpressure, protocol). `address` names the peer
 * (`host:port`) when the failure concerns one.
 *
 * @publicApi
 */
export class WireError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly address?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
