import type { ActorProtobufOptions as ProtobufRegistryOptions } from '../runtime/protobuf.registry.js';

/**
 * Where the protobuf message types used by `@ProtobufMailbox()` and `ActorRef.sendProto()`
 * come from: a protobufjs `root`, `.proto` `files` loaded into it at startup, or both.
 *
 * @publicApi
 */
export interface ActorProtobufOptions extends ProtobufRegistryOptions {
  /**
   * `.proto` files loaded (field names kept as written) at startup; relative paths resolve
   * from `baseDir`. A missing or unparsable file fails startup with an error naming
   * `ActorModule protobuf.files[i]`.
   */
  files?: string[];
  /**
   * Directories searched, in order, for `import "..."` paths that are not next to the
   * importing file (protoc's `--proto_path`), relative to `baseDir`: e.g. `['include']`
   * for the upstream Mesos layout (`import "mesos/mesos.proto"`).
   */
  includeDirs?: string[];
  /**
   * Directory that relative `files` and `includeDirs` resolve from (default: the current
   * directory, `process.cwd()`, when the module starts). Use `join(__dirname, ...)` /
   * `fileURLToPath(new URL('.', import.meta.url))` to resolve from the compiled file instead.
   */
  baseDir?: string;
}
