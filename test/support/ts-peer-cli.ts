import { SpawnedProcess } from './spawned-process.js';
import { transpiledPath } from './transpiled-sources.js';

/** Starts the TypeScript peer CLI (`<mode> [flags]`) as a child process. */
export function startTsPeer(args: readonly string[]): SpawnedProcess {
  return SpawnedProcess.start(`ts ${args[0] ?? ''}`.trim(), process.execPath, [
    transpiledPath('peer/main.bundle.js'),
    ...args,
  ]);
}
