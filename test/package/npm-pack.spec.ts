import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT as repoRoot } from '../support/paths.js';

/**
 * What a user gets from the registry: the tarball `npm pack` makes, unpacked into a plain ESM
 * app's node_modules the way `npm install` lays it out, then imported by bare specifier.
 *
 * The package is built into a temporary copy (never into the checkout's dist/, which may be
 * stale or in use). The app lives under the checkout's node_modules/.cache so the peer
 * dependencies (@nestjs/*, rxjs, protobufjs) resolve from the project, as they would from the
 * user's own node_modules, without touching the network.
 */
describe('npm pack', () => {
  let work: string;
  let app: string;
  let files: string[];

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
        join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(repoRoot, 'tsconfig.build.json'),
        '--outDir',
        join(pkg, 'dist'),
      ],
      { stdio: 'pipe' },
    );
    const packed = JSON.parse(
      execFileSync(
        'npm',
        ['pack', '--json', '--ignore-scripts', '--pack-destination', work],
        { cwd: pkg, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    )[0] as { filename: string; files: { path: string }[] };
    files = packed.files.map((f) => f.path);

    app = join(repoRoot, 'node_modules', '.cache', `pack-app-${process.pid}`);
    const installed = join(app, 'node_modules', 'nestjs-libprocess');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', [
      '-xzf',
      join(work, packed.filename),
      '-C',
      installed,
      '--strip-components=1',
    ]);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'pack-app', private: true, type: 'module' }),
    );
  }, 180_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(app, { recursive: true, force: true });
  });

  function runInApp(source: string): string {
    writeFileSync(join(app, 'main.mjs'), source);
    return execFileSync(process.execPath, ['main.mjs'], {
      cwd: app,
      encoding: 'utf8',
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
      ]),
    );
    const outside = files.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|dist\/lib\/)/.test(f),
    );
    expect(outside).toEqual([]);
  });

  it('resolves the main entry from a plain ESM app', () => {
    const out = runInApp(`
      import 'reflect-metadata';
      import { ActorModule, LibprocessServer, Mailbox, Process, Upid } from 'nestjs-libprocess';
      const pid = Upid.parse('slave(1)@127.0.0.1:5051');
      console.log([typeof ActorModule.forRoot, typeof LibprocessServer, typeof Mailbox,
        typeof Process, pid.id, pid.address].join(' '));
    `);
    expect(out).toBe(
      'function function function function slave(1) 127.0.0.1:5051',
    );
  });

  it('resolves the wire entry without loading Nest', () => {
    const out = runInApp(`
      import { encodeMessage, HttpRequestDecoder, Upid, WireNode } from 'nestjs-libprocess/wire';
      const wire = [typeof WireNode, typeof HttpRequestDecoder, typeof encodeMessage].join(' ');
      // Every @nestjs package loads reflect-metadata, which installs Reflect.getMetadata.
      const nestLoaded = typeof Reflect.getMetadata === 'function';
      console.log(wire, nestLoaded, Upid.parse('echo@[::1]:5050').host);
    `);
    expect(out).toBe('function function function false ::1');
  });
});
