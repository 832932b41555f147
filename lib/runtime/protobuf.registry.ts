import { Root } from 'protobufjs';
import type { IConversionOptions, Type } from 'protobufjs';

import { UnknownProtobufTypeError } from '../errors/unknown-protobuf-type.error.js';
import type {
  ProtobufStaticClass,
  ProtobufTypeRef,
} from '../interfaces/protobuf-type.interface.js';

/**
 * Where the protobuf message types used by `@ProtobufMailbox()` and `ActorRef.sendProto()`
 * come from.
 *
 * @publicApi
 */
export interface ActorProtobufOptions {
  /** A protobufjs root that already holds the types. */
  root?: Root;
  /** `.proto` files loaded (field names kept as written) into the root at startup. */
  files?: string[];
  /**
   * How decoded messages are turned into the plain objects handlers receive.
   * Default `{ longs: String, enums: String, bytes: Buffer }`.
   */
  conversion?: IConversionOptions;
}

/** Encodes and decodes one protobuf message type; `name` is its full name (no leading dot). */
export interface ProtobufCodec {
  readonly name: string;
  decode(body: Uint8Array): unknown;
  encode(message: unknown): Uint8Array;
}

const DEFAULT_CONVERSION: IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
};

function isReflectionType(ref: unknown): ref is Type {
  return (
    typeof ref === 'object' &&
    ref !== null &&
    typeof (ref as Type).fullName === 'string' &&
    typeof (ref as Type).decode === 'function' &&
    typeof (ref as Type).toObject === 'function'
  );
}

function isStaticClass(ref: unknown): ref is ProtobufStaticClass {
  return (
    typeof ref === 'function' &&
    typeof (ref as ProtobufStaticClass).decode === 'function' &&
    typeof (ref as ProtobufStaticClass).getTypeUrl === 'function'
  );
}

/**
 * The protobuf types of the node: the root given in `ActorModule.forRoot({ protobuf })`
 * (its `.proto` files loaded once at startup) and a codec per type, cached.
 */
export class ProtobufRegistry {
  readonly root: Root;
  private readonly conversion: IConversionOptions;
  private readonly codecs = new Map<unknown, ProtobufCodec>();

  constructor(options: ActorProtobufOptions = {}) {
    const { root, files, conversion } = options;
    this.root = root ?? new Root();
    if (files?.length) {
      // Field names are kept as written (`framework_id`), as every other libprocess
      // implementation sees them.
      this.root.loadSync(files, { keepCase: true });
    }
    this.conversion = conversion ?? DEFAULT_CONVERSION;
  }

  /**
   * Returns the codec of a type name, reflection `Type` or static class.
   * @throws UnknownProtobufTypeError when a name is not in the root
   */
  resolve(ref: ProtobufTypeRef): ProtobufCodec {
    let codec = this.codecs.get(ref);
    if (!codec) {
      codec = this.createCodec(ref);
      this.codecs.set(ref, codec);
    }
    return codec;
  }

  /** The codec of a message instance (reflection `Message` or static class instance). */
  resolveMessage(message: object): ProtobufCodec | undefined {
    const reflected = (message as { $type?: Type }).$type;
    if (isReflectionType(reflected)) return this.resolve(reflected);
    const ctor = message.constructor;
    return isStaticClass(ctor) ? this.resolve(ctor) : undefined;
  }

  private createCodec(ref: ProtobufTypeRef): ProtobufCodec {
    if (typeof ref === 'string') {
      const name = ref.replace(/^\./, '');
      let type: Type;
      try {
        type = this.root.lookupType(name);
      } catch {
        throw new UnknownProtobufTypeError(name);
      }
      return this.reflectionCodec(type);
    }
    if (isReflectionType(ref)) return this.reflectionCodec(ref);
    if (isStaticClass(ref)) {
      const url = ref.getTypeUrl('');
      return {
        name: url.slice(url.lastIndexOf('/') + 1).replace(/^\./, ''),
        decode: (body) => ref.decode(body),
        encode: (message) =>
          ref
            .encode(
              message instanceof ref
                ? message
                : ref.fromObject(message as Record<string, any>),
            )
            .finish(),
      };
    }
    throw new UnknownProtobufTypeError(String(ref));
  }

  private reflectionCodec(type: Type): ProtobufCodec {
    const conversion = this.conversion;
    return {
      name: type.fullName.replace(/^\./, ''),
      decode: (body) => type.toObject(type.decode(body), conversion),
      encode: (message) =>
        type.encode(type.fromObject(message as Record<string, any>)).finish(),
    };
  }
}
