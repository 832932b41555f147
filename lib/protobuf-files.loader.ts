import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Root } from 'protobufjs';

import { ProtobufFilesError } from './errors/protobuf-files.error.js';
import type { ActorProtobufOptions } from './interfaces/actor-protobuf-options.interface.js';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `(path, line N)` at the end of a protobufjs parse error. */
const PARSE_ERROR_FILE = /\((.*), line \d+\)$/;

/**
 * Loads `protobuf.files` into `protobuf.root` (or a new root), as protoc would with
 * `--proto_path`: a file resolves from `baseDir` (default: the current directory), an
 * `import` from the importing file's directory, then from each of `includeDirs` (relative to
 * `baseDir`) in order, so that the upstream Mesos layout (`import "mesos/mesos.proto"` with
 * `include/` as an include directory) loads. Field names are kept as written
 * (`framework_id`), as every other libprocess implementation sees them.
 *
 * @throws ProtobufFilesError naming `ActorModule protobuf.files[i]` and the path tried (and
 * the include directories for an import) when a file is missing or does not parse
 */
export function loadProtobufFiles(options: ActorProtobufOptions = {}): Root {
  const root = options.root ?? new Root();
  const files = options.files ?? [];
  if (files.length === 0) return root;
  const baseDir = resolve(options.baseDir ?? process.cwd());
  const includeDirs = (options.includeDirs ?? []).map((dir) =>
    resolve(baseDir, dir),
  );
  const shownIncludes = `protobuf.includeDirs ${JSON.stringify(options.includeDirs ?? [])} from ${baseDir}`;
  const label = (index: number | undefined): string =>
    index === undefined
      ? 'ActorModule protobuf.files'
      : `ActorModule protobuf.files[${index}] "${files[index]}"`;

  const topLevel = files.map((file, index) => {
    if (typeof file !== 'string' || file.length === 0) {
      throw new ProtobufFilesError(
        `ActorModule protobuf.files[${index}] must be a path to a .proto file, got ${JSON.stringify(file)}.`,
        index,
      );
    }
    const path = resolve(baseDir, file);
    if (!isFile(path)) {
      throw new ProtobufFilesError(
        `${label(index)}: no such file ${path} (relative paths resolve from protobuf.baseDir, ${options.baseDir === undefined ? `by default the current directory ${baseDir}` : baseDir}).`,
        index,
      );
    }
    return path;
  });
  /** Who imported each file, to name the `files[i]` an error comes from. */
  const importedBy = new Map<string, string>();
  const indexOf = (path: string | undefined): number | undefined => {
    const seen = new Set<string>();
    while (path !== undefined && !seen.has(path)) {
      const index = topLevel.indexOf(path);
      if (index >= 0) return index;
      seen.add(path);
      path = importedBy.get(path);
    }
    return undefined;
  };

  const ownResolver = Object.getOwnPropertyDescriptor(root, 'resolvePath');
  root.resolvePath = (origin: string, target: string): string => {
    if (origin === '') return target; // a top-level file, resolved above
    const candidates = [
      isAbsolute(target) ? target : resolve(dirname(origin), target),
      ...includeDirs.map((dir) => resolve(dir, target)),
    ];
    const found = candidates.find(isFile);
    if (found === undefined) {
      throw new ProtobufFilesError(
        `${label(indexOf(origin))}: import "${target}" of ${origin} was not found; tried ${candidates.join(', ')} (${shownIncludes}).`,
        indexOf(origin),
      );
    }
    if (!importedBy.has(found)) importedBy.set(found, origin);
    return found;
  };
  try {
    root.loadSync(topLevel, { keepCase: true });
  } catch (error) {
    if (error instanceof ProtobufFilesError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const failed =
      PARSE_ERROR_FILE.exec(message)?.[1] ?? (error as { path?: string }).path;
    const index = indexOf(failed);
    const via =
      failed !== undefined && index !== undefined && failed !== topLevel[index]
        ? ` (imported from it)`
        : '';
    throw new ProtobufFilesError(
      failed === undefined
        ? `${label(index)}: the files do not load: ${message}`
        : `${label(index)}: cannot load ${failed}${via}: ${message}`,
      index,
      { cause: error },
    );
  } finally {
    // Later loads into a root the application passed resolve as protobufjs does.
    if (ownResolver) Object.defineProperty(root, 'resolvePath', ownResolver);
    else delete (root as Partial<Root>).resolvePath;
  }
  return root;
}
