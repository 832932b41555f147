import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { SpawnedProcess } from './spawned-process.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheRoot = join(
  repoRoot,
  'node_modules',
  '.cache',
  'nestjs-libprocess-ts-peer',
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) =>
        entry.isFile() &&
        /\.(ts|proto)$/.test(entry.name) &&
        !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Path of the TypeScript peer CLI's entry point, compiled from the current sources of lib/ and
 * peer/, for tests that need it as a separate process (a server to SIGKILL, exit codes).
 *
 * It is transpiled here rather than taken from dist/ so that `npm test` neither needs a prior
 * `npm run build` nor runs a stale one. Transpiling file by file is what ts-jest does for the
 * in-process tests too, so both see the same decorator metadata. The output lands in
 * node_modules/.cache under a hash of the sources (so Node resolves @nestjs/* from the
 * project) and is written to a temporary directory first, then renamed, so parallel Jest
 * workers never see a half-written tree.
 */
export function tsPeerCliPath(): string {
  const files = [
    ...sourceFiles(join(repoRoot, 'lib')),
    ...sourceFiles(join(repoRoot, 'peer')),
  ];
  const hash = createHash('sha256');
  for (const file of files)
    hash.update(relative(repoRoot, file)).update(readFileSync(file));
  const digest = hash.digest('hex').slice(0, 16);
  const outDir = join(cacheRoot, digest);
  const entry = join(outDir, 'peer', 'main.js');
  if (existsSync(entry)) return entry;

  const staging = `${outDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    useDefineForClassFields: false,
    isolatedModules: true,
  };
  for (const file of files) {
    const target = join(staging, relative(repoRoot, file));
    mkdirSync(dirname(target), { recursive: true });
    if (file.endsWith('.proto')) {
      cpSync(file, target);
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions,
      fileName: file,
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
  }
  // node_modules/ ends the search for a package scope, so the output needs its own "type".
  writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
  for (const old of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
    if (!old.endsWith('.tmp'))
      rmSync(join(cacheRoot, old), { recursive: true, force: true });
  }
  try {
    renameSync(staging, outDir);
  } catch (err) {
    // Another worker won the race with an identical tree.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(entry)) throw err;
  }
  return entry;
}

/** Starts the TypeScript peer CLI (`<mode> [flags]`) as a child process. */
export function startTsPeer(args: readonly string[]): SpawnedProcess {
  return SpawnedProcess.start(`ts ${args[0] ?? ''}`.trim(), process.execPath, [
    tsPeerCliPath(),
    ...args,
  ]);
}
