import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown at startup when a `.proto` file of `ActorModule.forRoot({ protobuf: { files } })`
 * (or one it imports) cannot be found or parsed. The message names the option
 * (`ActorModule protobuf.files[i]`), the path tried and, for an import, the include
 * directories searched.
 *
 * @publicApi
 */
export class ProtobufFilesError extends LibprocessError {
  constructor(
    message: string,
    /** Index in `protobuf.files` of the file that failed or whose import failed. */
    readonly fileIndex: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
