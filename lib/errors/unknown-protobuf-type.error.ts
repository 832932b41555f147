import { LibprocessError } from './libprocess.error.js';

/**
 * Thrown when a protobuf type named by `@ProtobufMailbox()` or `sendProto()` is not in the
 * module's protobuf root.
 *
 * @publicApi
 */
export class UnknownProtobufTypeError extends LibprocessError {
  constructor(
    readonly typeName: string,
    where?: { processId: string; method: string },
  ) {
    super(
      where
        ? `@ProtobufMailbox("${typeName}") on ${where.processId}.${where.method}: the type is not in the protobuf root. Load its .proto file with ActorModule.forRoot({ protobuf: { files } }) or pass a protobufjs Type.`
        : `Unknown protobuf type "${typeName}": it is not in the protobuf root of ActorModule (load its .proto file with forRoot({ protobuf: { files } }) or pass a protobufjs Type).`,
    );
  }
}
