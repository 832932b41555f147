/**
 * Base class of the errors thrown by the actor runtime and the Nest layer of nestjs-libprocess.
 *
 * @publicApi
 */
export class LibprocessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
