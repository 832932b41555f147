import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  SpawnedProcess,
  type ExitStatus,
} from '../../support/spawned-process.js';
import { REPO_ROOT } from '../../support/paths.js';

/** The CLI as `npm start` runs it after its build: tsc's output bundled by scripts/bundle-cli.mjs. */
export const SAMPLE_MAIN = join(REPO_ROOT, 'dist', 'sample', 'main.bundle.js');

function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, {
    withFileTypes: true,
    recursive: true,
  })) {
    if (entry.isFile() && /\.(ts|proto|json)$/.test(entry.name)) {
      newest = Math.max(
        newest,
        statSync(join(entry.parentPath, entry.name)).mtimeMs,
      );
    }
  }
  return newest;
}

/**
 * Runs `npm run build` unless dist/ is newer than every source the sample is built from. The
 * sample imports the package by its name (its `exports` point into dist/lib), so it can only
 * run built; CI has just built, so there this is a no-op.
 */
export function ensureSampleBuilt(): Promise<void> {
  // One build per test process, however many tests (concurrent ones too) ask for it.
  building ??= buildIfStale();
  return building;
}

let building: Promise<void> | undefined;

async function buildIfStale(): Promise<void> {
  const built = existsSync(SAMPLE_MAIN) ? statSync(SAMPLE_MAIN).mtimeMs : 0;
  const sources = Math.max(
    newestSource(join(REPO_ROOT, 'lib')),
    newestSource(join(REPO_ROOT, 'sample')),
    statSync(join(REPO_ROOT, 'package.json')).mtimeMs,
    statSync(join(REPO_ROOT, 'scripts', 'bundle-cli.mjs')).mtimeMs,
  );
  if (built > sources) return;
  await new Promise<void>((resolve, reject) => {
    execFile(
      'npm',
      ['run', 'build', '--silent'],
      { cwd: REPO_ROOT, timeout: 300_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`npm run build failed:\n${stdout}${stderr}`))
          : resolve(),
    );
  });
}

/** The sample CLI (`node dist/sample/main.bundle.js ARGS`) as a tracked child process. */
export function startSample(
  label: string,
  args: readonly string[],
): SpawnedProcess {
  return SpawnedProcess.start(label, process.execPath, [SAMPLE_MAIN, ...args], {
    // The CLI prints plain text; no colours from a TTY-detecting library.
    NO_COLOR: '1',
  });
}

export interface SampleRun extends ExitStatus {
  stdout: string;
  stderr: string;
}

/** Runs the sample CLI to its end (SIGKILLed and rejected after `timeoutMs`). */
export async function runSample(
  label: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<SampleRun> {
  const child = startSample(label, args);
  const status = await child.waitForExit(timeoutMs);
  return {
    ...status,
    stdout: child.stdout.seen.join('\n'),
    stderr: child.stderr,
  };
}
