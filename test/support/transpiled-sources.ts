import { execFileSync } from 'node:child_process';
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
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheRoot = join(
  repoRoot,
  'node_modules',
  '.cache',
  'nestjs-libprocess-transpiled',
);

/** The source folders child processes may run: the library and the TypeScript peer CLI. */
const SOURCE_DIRS = ['lib', 'peer'];
/** What else the tree depends on: the bundler of the peer CLI. */
const BUILD_INPUTS = ['scripts/bundle-cli.mjs'];

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

let built: string | undefined;

/**
 * The root of a plain-JavaScript copy of lib/ and peer/, compiled from the current sources, for
 * tests that run the library in a child Node process (which cannot load TypeScript): a server
 * to SIGKILL, exit codes, "the process exits by itself".
 *
 * It is transpiled here rather than taken from dist/ so that `npm test` neither needs a prior
 * `npm run build` nor runs a stale one. Transpiling file by file is what ts-jest does for the
 * in-process tests too, so both see the same decorator metadata. The output lands in
 * node_modules/.cache under a hash of the sources (so Node resolves @nestjs/* from the project)
 * and is written to a temporary directory first, then renamed, so parallel Jest workers never
 * see a half-written tree and reuse one another's.
 */
export function transpiledSourcesRoot(): string {
  if (built && existsSync(built)) return built;
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(repoRoot, dir)));
  const hash = createHash('sha256');
  for (const file of [
    ...files,
    ...BUILD_INPUTS.map((input) => join(repoRoot, input)),
  ])
    hash.update(relative(repoRoot, file)).update(readFileSync(file));
  const outDir = join(cacheRoot, hash.digest('hex').slice(0, 16));
  const marker = join(outDir, 'package.json');
  if (existsSync(marker)) return (built = outDir);

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
  // The peer CLI, bundled as `npm start` runs the sample: a child that loads ~1,000 module
  // files of Nest and rxjs one by one spends about 1 s of CPU on it, and the interop and TLS
  // suites start it dozens of times.
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'scripts', 'bundle-cli.mjs'),
      join(staging, 'peer', 'main.js'),
      '--root',
      staging,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  for (const old of existsSync(cacheRoot) ? readdirSync(cacheRoot) : []) {
    // Trees of older sources; never this one, which another worker may just have renamed in.
    if (!old.endsWith('.tmp') && join(cacheRoot, old) !== outDir)
      rmSync(join(cacheRoot, old), { recursive: true, force: true });
  }
  try {
    renameSync(staging, outDir);
  } catch (err) {
    // Another worker won the race with an identical tree.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(marker)) throw err;
  }
  return (built = outDir);
}

/**
 * Absolute path of one transpiled module, e.g. `transpiledPath('peer/main.bundle.js')`, or of the
 * bundled peer CLI, `transpiledPath('peer/main.bundle.js')`.
 */
export function transpiledPath(path: string): string {
  return join(transpiledSourcesRoot(), path);
}

/** `file:` URL of one transpiled module, to `import` from a child's script. */
export function transpiledUrl(path: string): string {
  return pathToFileURL(transpiledPath(path)).href;
}
