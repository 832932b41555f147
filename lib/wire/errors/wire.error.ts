/**
 * A failure of the wire layer (network, backpressure, protocol). `address` names the peer
 * (`host:port`) when the failure concerns one.
 *
 * @publicApi
 */
export class WireError extends Error {
  /**
   * How many failures this error stands for: 1, or more for the summary of repeated
   * failures of one kind from one peer (see `WireNodeOptions.errorIntervalMs`).
   */
  readonly count: number;

  constructor(
    message: string,
    readonly code: string,
    readonly address?: string,
    options?: { cause?: unknown; count?: number },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.count = options?.count ?? 1;
  }
}
