import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_FILES = ['mesos.proto', 'scheduler.proto', 'messages.proto'];

/**
 * Where the trimmed Mesos `.proto` files are. They live in `sample/proto/`. A Nest CLI build copies
 * them next to the compiled code (`dist/sample/proto/`, the assets rule in nest-cli.json); a plain
 * `tsc` build (what `npm start` runs) copies nothing, so the compiled code falls back to the source
 * folder, found from `dist/sample/mesos/` as `../../../sample/proto/`.
 */
function resolveProtoDir(): string {
  const candidates = ['../proto/', '../../../sample/proto/'].map((dir) =>
    fileURLToPath(new URL(dir, import.meta.url)),
  );
  const found = candidates.find((dir) => existsSync(`${dir}${PROTO_FILES[0]}`));
  if (!found) {
    throw new Error(
      `Mesos .proto files not found in ${candidates.join(' or ')}`,
    );
  }
  return found;
}

/** Absolute paths of the trimmed Mesos `.proto` files (packages mesos, mesos.scheduler, mesos.internal). */
export const MESOS_PROTO_FILES: readonly string[] = ((dir) =>
  PROTO_FILES.map((file) => `${dir}${file}`))(resolveProtoDir());

/**
 * Loads the Mesos protobuf types with snake_case field names (`keepCase`), the spelling used
 * throughout the Mesos sources and documentation.
 */
export function loadMesosProtos(): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync([...MESOS_PROTO_FILES], { keepCase: true });
  root.resolveAll();
  return root;
}
