/**
 * A string (or id/host/port triple) that is not a valid libprocess PID `id@host:port`.
 *
 * @publicApi
 */
export class InvalidUpidError extends Error {
  constructor(
    readonly value: string,
    reason: string,
  ) {
    super(`Invalid libprocess PID ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidUpidError';
  }
}
