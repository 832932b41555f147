import { execFile, execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator } from '../../sample/run-sample.js';
import { SAMPLE_MAIN } from '../mesos/support/sample-cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { SpawnedProcess } from '../support/spawned-process.js';
import { waitFor } from '../support/wait-for.js';

const ROOT = REPO_ROOT;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], timeout = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, timeout }, (error, stdout, stderr) => {
      const code = error
        ? typeof error.code === 'number'
          ? error.code
          : null
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The pid of the CLI's child process that runs `command` (directly, or as `sh -c`), searched
 * among the children of `parent` only, never the whole machine.
 */
function taskPid(parent: number, command: string): number | undefined {
  const pattern = `^(/bin/sh -c )?${command.replace(/[.]/g, '\\.')}$`;
  try {
    const out = execFileSync('pgrep', ['-P', String(parent), '-f', pattern], {
      encoding: 'utf8',
    });
    return Number(out.trim().split('\n')[0]);
  } catch {
    return undefined; // pgrep exits 1 when nothing matches
  }
}

/** Whether any process of the process group `pgid` (a task runs in its own group) is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false; // ESRCH: the whole group is gone
  }
}

/** The real CLI (what `npm start` runs after its build) as a child process. */
describe('sample CLI (node dist/sample/main.bundle.js)', () => {
  beforeAll(async () => {
    // Build exactly as `npm start` does, so the test runs the shipped entry point.
    const build = await run('npm', ['run', 'build', '--silent'], 240_000);
    if (build.code !== 0) {
      throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
    }
  }, 240_000);

  it('runs tasks against the embedded simulator and exits 0 with a summary', async () => {
    const result = await run('node', [
      SAMPLE_MAIN,
      '--tasks',
      '2',
      '--cmd',
      'echo hello',
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/registered with master@127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/task-1 +TASK_FINISHED/);
    expect(result.stdout).toMatch(/^TASK +STATE +AGENT +DURATION$/m);
    expect(result.stdout).toMatch(
      /^task-2 +TASK_FINISHED +\S+-S0 +\d+\.\d\ds$/m,
    );
    expect(result.stdout).toContain('2/2 tasks finished.');
  }, 60_000);

  it('registers with a master given as host:port (found through GET /master/state)', async () => {
    // The simulator stands in for a remote master here: the CLI does not start its own.
    const sim = await startSimulator({}, false);
    try {
      const result = await run('node', [
        SAMPLE_MAIN,
        '--master',
        `localhost:${sim.master.port}`,
        '--tasks',
        '1',
      ]);

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Leading master: ${sim.master}`);
      expect(result.stdout).not.toContain('Simulated Mesos master');
      expect(result.stdout).toContain('1/1 tasks finished.');
    } finally {
      await sim.app.close();
    }
  }, 60_000);

  it('exits 1 when a task fails', async () => {
    const result = await run('node', [
      SAMPLE_MAIN,
      '--tasks',
      '1',
      '--cmd',
      'exit 7',
    ]);

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/task-1 +TASK_FAILED/);
    expect(result.stdout).toContain('Command exited with status 7');
    expect(result.stdout).toContain('0/1 tasks finished (exit code 1).');
  }, 60_000);

  it('tears the framework down on SIGINT, killing its tasks, and exits 130', async () => {
    const command = 'sleep 29.517';
    const cli = SpawnedProcess.start('sample CLI', process.execPath, [
      SAMPLE_MAIN,
      '--tasks',
      '1',
      '--cmd',
      command,
    ]);
    try {
      // Every wait ends with its event (a line, the exit); the timeouts only turn a hang
      // into a failure, however slow a loaded machine starts Node and the simulator.
      await cli.stdout.nextMatching(/task-1 +TASK_RUNNING/, 60_000);
      const task = taskPid(cli.pid!, command);
      expect(task).toBeDefined();
      expect(groupAlive(task!)).toBe(true);

      cli.kill('SIGINT');

      expect((await cli.waitForExit(60_000)).code).toBe(130);
      expect(cli.stdout.seen.join('\n')).toContain(
        'Aborted: interrupted. 0/1 tasks finished.',
      );
      // The CLI exits once the kill is sent; the killed group is reaped a moment later.
      await waitFor(
        () => !groupAlive(task!),
        30_000,
        "the task's process group to end",
      );
    } finally {
      await cli.stop();
    }
  }, 180_000);

  it('prints usage for --help and rejects a bad flag with exit code 2', async () => {
    const help = await run('node', [SAMPLE_MAIN, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--master <address|local>');
    expect(help.stdout).toContain('--secret-file <path>');

    const bad = await run('node', [SAMPLE_MAIN, '--tasks', 'zero']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--tasks must be a positive integer, got "zero"',
    );
  });
});
