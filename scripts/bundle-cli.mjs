#!/usr/bin/env node
// Bundles a compiled CLI (tsc's output) with everything it imports into one ES module next to
// it, `<name>.bundle.js`: the sample CLI (dist/sample/main.js, what `npm start` and the tests
// run) and, for the tests, the TypeScript peer CLI (test/support/transpiled-sources.ts).
//
// Why: Node 20 spends most of a CLI run loading ~1,000 module files (rxjs and the three Nest
// packages are ~720 of them, resolved and read one by one through the ESM loader). Measured on
// the 2-core CI machine, the sample's `--help` took 1.07 s of wall time and 1.5 s of CPU
// unbundled, 0.42 s and 0.45 s bundled; a 2-task run against the embedded simulator 1.95 s of
// CPU unbundled and 0.98 s bundled. The real-Mesos suite starts the sample 55 times (issue 15's
// 50 runs of fault A among them), the interop and TLS suites the peer CLI dozens of times.
//
// The bundle is built from tsc's output, not from the TypeScript sources, because esbuild does
// not emit the decorator metadata Nest's injector reads (`design:paramtypes`).
//
// Usage: node scripts/bundle-cli.mjs <entry.js> [--root DIR]
//   DIR: the root of the compiled tree the entry belongs to (default: the entry's folder's
//   parent, e.g. dist for dist/sample/main.js); its modules keep their own `import.meta.url`.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  options: { root: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length !== 1 || !positionals[0].endsWith('.js')) {
  process.stderr.write(
    'usage: node scripts/bundle-cli.mjs <entry.js> [--root DIR]\n',
  );
  process.exit(2);
}
const entry = resolve(positionals[0]);
const outDir = resolve(values.root ?? dirname(dirname(entry)));
const outfile = entry.replace(/\.js$/, '.bundle.js');

/**
 * Nest loads its optional integrations (@nestjs/websockets, kafkajs, class-validator, ...) with
 * a guarded `require`/`import()` only when an application uses them: whatever is not installed
 * stays an import of the bundle, to fail (and be reported by Nest) only if it is ever needed.
 */
const optionalPackages = {
  name: 'optional-packages',
  setup(bundler) {
    bundler.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return undefined;
      try {
        createRequire(args.importer || join(root, 'package.json')).resolve(
          args.path,
        );
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

/**
 * `import.meta.url` of each of our modules stays that module's own URL (computed from the
 * bundle's), so that `loadMesosProtos()` still finds lib/mesos/proto/ next to its module.
 */
const ownModuleUrls = {
  name: 'own-module-urls',
  setup(bundler) {
    bundler.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(outDir)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(dirname(outfile), args.path);
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
        ),
        loader: 'js',
      };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The package's own name resolves through its `exports` (to dist/lib), not tsconfig `paths`
  // (to the TypeScript sources).
  tsconfigRaw: {},
  // Nest names providers, loggers and errors after `constructor.name`.
  keepNames: true,
  logLevel: 'warning',
  plugins: [optionalPackages, ownModuleUrls],
  // reflect-metadata stays a real (hoisted) import: esbuild runs a CommonJS module imported from
  // an ES module where its importer's body runs, after the modules that importer imports, whose
  // decorators already need `Reflect.metadata`. `require` serves the bundled CommonJS packages'
  // calls (Node built-ins and the optional packages above).
  external: ['reflect-metadata'],
  banner: {
    js: [
      "import 'reflect-metadata';",
      "import { createRequire as __createRequire } from 'node:module';",
      'const require = __createRequire(import.meta.url);',
    ].join('\n'),
  },
});
