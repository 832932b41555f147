import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, REPO_ROOT as repoRoot } from '../support/paths.js';

const TSC = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** How a package user's TypeScript app is compiled (what `nest new` on TypeScript 6 sets). */
const APP_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  skipLibCheck: true,
  types: ['node'],
};

/**
 * What a user gets from the registry: the tarball `npm pack` makes, unpacked into an app's
 * node_modules the way `npm install` lays it out, then used by bare specifier from an ESM app and
 * from a CommonJS app (which loads the ESM package through Node's `require(esm)`), both
 * type-checked and compiled with tsc, then run.
 *
 * The package is built into a temporary copy (never into the checkout's dist/, which may be
 * stale or in use). The apps live under the checkout's node_modules/.cache so the peer
 * dependencies (@nestjs/*, rxjs, protobufjs) resolve from the project, as they would from the
 * user's own node_modules, without touching the network. One tsc run compiles both apps: each
 * file's module format comes from its own app's package.json, as in a real project.
 */
describe('npm pack', () => {
  let work: string;
  let installed: string;
  let files: string[];
  let apps: string;
  let tsc: { ok: boolean; output: string };

  /** An app directory with the unpacked tarball in its node_modules and main.ts in it. */
  function createApp(type: 'module' | 'commonjs'): string {
    const app = join(apps, type);
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    cpSync(installed, join(app, 'node_modules', 'nestjs-libprocess'), {
      recursive: true,
    });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: `pack-${type}-app`, private: true, type }),
    );
    copyFileSync(fixturePath('package-app/main.ts'), join(app, 'main.ts'));
    return app;
  }

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'libprocess-pack-'));
    const pkg = join(work, 'pkg');
    mkdirSync(pkg);
    for (const file of ['package.json', 'README.md', 'LICENSE']) {
      copyFileSync(join(repoRoot, file), join(pkg, file));
    }
    execFileSync(
      process.execPath,
      [
        TSC,
        '-p',
        join(repoRoot, 'tsconfig.build.json'),
        '--outDir',
        join(pkg, 'dist'),
      ],
      { stdio: 'pipe' },
    );
    // What `npm run build` does after tsc: the Mesos .proto files next to their loader.
    execFileSync(process.execPath, [
      join(repoRoot, 'scripts', 'copy-mesos-protos.mjs'),
      join(pkg, 'dist'),
    ]);
    const packed = JSON.parse(
      execFileSync(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
        { cwd: pkg, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    )[0] as { filename: string; files: { path: string }[] };
    files = packed.files.map((f) => f.path);
    installed = join(work, 'installed');
    mkdirSync(installed);
    execFileSync('tar', [
      '-xzf',
      join(work, packed.filename),
      '-C',
      installed,
      '--strip-components=1',
    ]);

    apps = join(repoRoot, 'node_modules', '.cache', `pack-apps-${process.pid}`);
    rmSync(apps, { recursive: true, force: true });
    createApp('module');
    createApp('commonjs');
    // The README's examples, as a user would paste them into an ESM app.
    cpSync(join(repoRoot, 'examples'), join(apps, 'module', 'examples'), {
      recursive: true,
    });
    writeFileSync(
      join(apps, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: APP_COMPILER_OPTIONS,
        include: ['module/**/*.ts', 'commonjs/**/*.ts'],
        exclude: ['**/node_modules'],
      }),
    );
    try {
      execFileSync(process.execPath, [TSC, '-p', apps], { encoding: 'utf8' });
      tsc = { ok: true, output: '' };
    } catch (error) {
      tsc = {
        ok: false,
        output: String((error as { stdout?: string }).stdout),
      };
    }
  }, 240_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(apps, { recursive: true, force: true });
  });

  function run(app: string, file: string): string {
    return execFileSync(process.execPath, [file], {
      cwd: join(apps, app),
      encoding: 'utf8',
      timeout: 30_000,
    }).trim();
  }

  it('ships the compiled library with declarations and nothing else', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/lib/wire/index.js',
        'dist/lib/wire/index.d.ts',
        'dist/lib/mesos/index.js',
        'dist/lib/mesos/proto/mesos.proto',
      ]),
    );
    const outside = files.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|dist\/lib\/)/.test(f),
    );
    expect(outside).toEqual([]);
  });

  it('ships source maps that carry their sources (lib/*.ts is not in the package)', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(0);
    const incomplete = maps.filter((file) => {
      const map = JSON.parse(readFileSync(join(installed, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      return (
        map.sourcesContent?.length !== map.sources.length ||
        map.sourcesContent.some((content) => !content)
      );
    });
    expect(incomplete).toEqual([]);
  });

  it('declares its runtime dependencies as ranges, not exact pins', () => {
    const manifest = JSON.parse(
      readFileSync(join(installed, 'package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    for (const [name, range] of Object.entries(manifest.dependencies)) {
      expect(`${name}@${range}`).toMatch(/@\^\d/);
    }
  });

  it('type-checks an ESM app, a CommonJS app and the README examples against the shipped declarations', () => {
    expect(tsc.output).toBe('');
    expect(tsc.ok).toBe(true);
  });

  it('runs in an ESM app (import)', () => {
    expect(run('module', 'main.js')).toBe(
      'hello from esm; wire entry: ::1; mesos entry: mesos.FrameworkID',
    );
  }, 30_000);

  it('runs in a CommonJS app (require() of the ESM package, Node >= 20.19)', () => {
    // It really is CommonJS: tsc emitted require() calls for the package.
    expect(readFileSync(join(apps, 'commonjs', 'main.js'), 'utf8')).toContain(
      'require("nestjs-libprocess")',
    );
    expect(run('commonjs', 'main.js')).toBe(
      'hello from commonjs; wire entry: ::1; mesos entry: mesos.FrameworkID',
    );
  }, 30_000);

  it('loads the wire entry without loading Nest', () => {
    writeFileSync(
      join(apps, 'module', 'wire-only.mjs'),
      `
      import { encodeMessage, HttpRequestDecoder, Upid, WireNode } from 'nestjs-libprocess/wire';
      const wire = [typeof WireNode, typeof HttpRequestDecoder, typeof encodeMessage].join(' ');
      // Every @nestjs package loads reflect-metadata, which installs Reflect.getMetadata.
      const nestLoaded = typeof Reflect.getMetadata === 'function';
      console.log(wire, nestLoaded, Upid.parse('echo@[::1]:5050').host);
    `,
    );
    expect(run('module', 'wire-only.mjs')).toBe(
      'function function function false ::1',
    );
  });
});
