import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { IConversionOptions } from 'protobufjs';

const PROTO_FILES = [
  'mesos.proto',
  'scheduler.proto',
  'messages.proto',
  'authentication.proto',
];

/**
 * The folder of the Mesos `.proto` files: `lib/mesos/proto/` in the sources, and
 * `dist/lib/mesos/proto/` in the package (the build copies them next to the compiled code).
 */
const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

/**
 * Absolute paths of the Mesos `.proto` files (packages `mesos`, `mesos.scheduler`, `mesos.internal`):
 * a subset of upstream's messages with upstream's names, field numbers and `required` markers.
 * @publicApi
 */
export const MESOS_PROTO_FILES: readonly string[] = PROTO_FILES.map(
  (file) => `${PROTO_DIR}${file}`,
);

/**
 * How Mesos messages are turned into plain objects: the shape the generated types in
 * `lib/mesos/proto/generated/` describe (enum names, 64-bit integers as strings, bytes as
 * Buffers, repeated fields always present as arrays).
 * @publicApi
 */
export const MESOS_CONVERSION: IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
  arrays: true,
};

/**
 * Loads the Mesos protobuf types with snake_case field names (`keepCase`), the spelling used
 * throughout the Mesos sources and documentation.
 * @publicApi
 */
export function loadMesosProtos(): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync([...MESOS_PROTO_FILES], { keepCase: true });
  root.resolveAll();
  return root;
}
