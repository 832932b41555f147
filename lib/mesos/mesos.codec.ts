import type { Root, Type } from 'protobufjs';

import { loadMesosProtos, MESOS_CONVERSION } from './mesos-protos.js';

let root: Root | undefined;
const types = new Map<string, Type>();

function typeOf(name: string): Type {
  let type = types.get(name);
  if (type === undefined) {
    root ??= loadMesosProtos();
    type = root.lookupType(name);
    types.set(name, type);
  }
  return type;
}

/**
 * Encodes and decodes Mesos messages with the package's own `.proto` files, independent of the
 * protobuf root the application gives `ActorModule` (a scheduler driver must not depend on it).
 * Decoded objects have the shape of the generated types (`MESOS_CONVERSION`).
 * @publicApi
 */
export const MesosCodec = {
  encode(name: string, message: object): Uint8Array {
    const type = typeOf(name);
    return type.encode(type.fromObject(message)).finish();
  },

  /** @throws Error when the body is not a valid `name` (a missing required field, bad bytes) */
  decode<T>(name: string, body: Uint8Array): T {
    const type = typeOf(name);
    return type.toObject(type.decode(body), MESOS_CONVERSION) as T;
  },
};
