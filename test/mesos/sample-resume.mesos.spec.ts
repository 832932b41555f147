import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import {
  allTasks,
  frameworkOrNone,
  type MasterFramework,
  waitForCompletedFramework,
  waitForFailover,
} from './support/master-state.js';
import { MesosCluster } from './support/mesos-cluster.js';
import { describeWithMesos } from './support/mesos-gate.js';
import { pollUntil } from './support/process-watch.js';
import { ensureSampleBuilt, startSample } from './support/sample-cli.js';
import { TaskRelease } from './support/task-release.js';

/**
 * task-1 exits at once, task-2 runs on through the scheduler restart, until `release`. The
 * command executor has the task id as its executor id (MESOS_EXECUTOR_ID; there is no
 * MESOS_TASK_ID).
 */
function command(release: TaskRelease): string {
  return `case "$MESOS_EXECUTOR_ID" in task-1.*) exit 0;; *) ${release.command()};; esac`;
}

/**
 * Issue 14's restart case on a real master: a task that FINISHED and was acknowledged before
 * the scheduler died is gone from the master (a reconciliation of it would answer TASK_LOST),
 * so only the sample's state file knows it must not run again.
 */
describeWithMesos('sample restarted with --framework-id', (install) => {
  it('does not relaunch a task that FINISHED (and was acknowledged) before the restart', async () => {
    const [cluster] = await Promise.all([
      MesosCluster.start(install, { name: 'sample-resume' }),
      ensureSampleBuilt(),
    ]);
    const stateDir = mkdtempSync(join(tmpdir(), 'sample-resume-state-'));
    const name = 'sample-suite-resume-finished';
    const task2 = new TaskRelease(cluster.workDir);
    const args = [
      '--master',
      cluster.masterAddr,
      '--name',
      name,
      '--tasks',
      '2',
      '--cmd',
      command(task2),
      '--failover-timeout',
      '120',
      '--state-dir',
      stateDir,
    ];
    const first = startSample(name, args);
    const second = {
      child: undefined as ReturnType<typeof startSample> | undefined,
    };
    try {
      // task-1 completed (its FINISHED acknowledged: the master moved it to completed_tasks),
      // task-2 running.
      let before: MasterFramework | undefined;
      await pollUntil(
        async () => {
          if (first.hasExited) {
            throw new Error(`${name} exited early: ${first.stderr}`);
          }
          before = await frameworkOrNone(cluster, name);
          return (
            before?.completed_tasks.length === 1 &&
            before.tasks.length === 1 &&
            before.tasks[0].state === 'TASK_RUNNING'
          );
        },
        60_000,
        'task-1 FINISHED and acknowledged, task-2 RUNNING',
      );
      const frameworkId = before!.id;
      const launched = allTasks(before!)
        .map((task) => task.id)
        .sort();
      expect(before!.completed_tasks[0]).toMatchObject({
        name: 'task-1',
        state: 'TASK_FINISHED',
      });

      first.kill('SIGKILL');
      await first.exited;
      expect(existsSync(join(stateDir, `${frameworkId}.json`))).toBe(true);

      second.child = startSample(`${name} (restarted)`, [
        ...args,
        '--framework-id',
        frameworkId,
      ]);
      // task-2 ends once the restarted sample has failed the framework over to itself (it then
      // reconciles task-2, which it knows from its record).
      await waitForFailover(cluster, frameworkId);
      task2.release();
      const status = await second.child.waitForExit(60_000);
      const output = second.child.stdout.seen;

      expect({
        code: status.code,
        summary: output[output.length - 1],
      }).toEqual({ code: 0, summary: '2/2 tasks finished.' });
      const framework = await waitForCompletedFramework(cluster, name);
      expect(framework.id).toBe(frameworkId);
      // The two launches of the first run, nothing more: task-1 did not run again.
      expect(
        allTasks(framework)
          .map((task) => task.id)
          .sort(),
      ).toEqual(launched);
      expect(allTasks(framework).map((task) => task.state)).toEqual([
        'TASK_FINISHED',
        'TASK_FINISHED',
      ]);
      expect(cluster.masterLog()).not.toMatch(/duplicate ID/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${cluster.logTail()}`, {
        cause: error,
      });
    } finally {
      await first.stop();
      await second.child?.stop();
      await cluster.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 150_000);
});
