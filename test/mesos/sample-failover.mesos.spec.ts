import { expect, it } from '@jest/globals';
import type { SpawnedProcess } from '../support/spawned-process.js';
import { type SampleStarter, withCluster } from './support/cluster-fixture.js';
import type { MesosCluster } from './support/mesos-cluster.js';
import { describeWithMesos } from './support/mesos-gate.js';
import {
  allTasks,
  frameworkOrNone,
  type MasterFramework,
  taskStates,
  waitForCompletedFramework,
  waitForFailover,
  failoverPattern,
} from './support/master-state.js';
import { pollUntil } from './support/process-watch.js';
import { TaskRelease } from './support/task-release.js';

/**
 * A master that notices a lost agent (and tells an agent that lost it) within 3 s instead of
 * 75 s, so that an agent re-registers with a restarted master within seconds, as the tests
 * need (cluster-wide: the agent learns the timeout from the master at registration).
 */
const FAST_PINGS = [
  '--agent_ping_timeout=1secs',
  '--max_agent_ping_timeouts=3',
];

const TASKS = 2;

/**
 * The sample's arguments for a run whose tasks outlive a scheduler or master restart: they run
 * until the test releases them, once the restart is over.
 */
function longRunArgs(cluster: MesosCluster, name: string): string[] {
  return [
    '--master',
    cluster.masterAddr,
    '--name',
    name,
    '--tasks',
    String(TASKS),
    '--cmd',
    new TaskRelease(cluster.workDir).command(),
    '--failover-timeout',
    '120',
  ];
}

/** Starts the sample with `TASKS` tasks that sleep, and waits until they all run. */
async function startLongRun(
  cluster: MesosCluster,
  sample: SampleStarter,
  name: string,
): Promise<{ child: SpawnedProcess; framework: MasterFramework }> {
  const child = sample(name, longRunArgs(cluster, name));
  let framework: MasterFramework | undefined;
  await pollUntil(
    async () => {
      if (child.hasExited) {
        throw new Error(
          `${name} exited early: ${child.stdout.seen.slice(-5).join('\n')} ${child.stderr}`,
        );
      }
      framework = await frameworkOrNone(cluster, name);
      return (
        framework !== undefined &&
        framework.tasks.filter((t) => t.state === 'TASK_RUNNING').length ===
          TASKS
      );
    },
    60_000,
    `${TASKS} tasks of ${name} to be RUNNING`,
  );
  return { child, framework: framework! };
}

/** The task ids the master has ever seen for a framework, with how often (duplicates = relaunches). */
function launchesOf(framework: MasterFramework): number {
  return allTasks(framework).length;
}

/**
 * Failover against a real master: the scheduler process killed and restarted with its
 * framework id, and the master killed and restarted with its in-memory and its replicated-log
 * registry (faults B and C of issue 15). In every case the tasks launched before the failure
 * keep running and finish, none is launched twice, killed, or counted twice, and the sample
 * ends with every task finished.
 */
describeWithMesos('failover of the sample', (install) => {
  it.concurrent(
    'scheduler SIGKILLed mid-run and restarted with its framework id: re-registers, reconciles, adopts the running tasks',
    () =>
      withCluster(
        install,
        { name: 'sched-failover' },
        async (cluster, sample) => {
          const name = 'mesos-suite-scheduler-failover';
          const first = await startLongRun(cluster, sample, name);
          const frameworkId = first.framework.id;
          const launched = first.framework.tasks.map((t) => t.id).sort();

          first.child.kill('SIGKILL');
          await first.child.exited;
          // The master keeps the framework (failover timeout) with its tasks running.
          await pollUntil(
            async () =>
              (await frameworkOrNone(cluster, name))?.connected === false,
            15_000,
            `${name} to be disconnected`,
          );

          const second = sample(`${name} (restarted)`, [
            ...longRunArgs(cluster, name),
            '--framework-id',
            frameworkId,
          ]);
          // The tasks end once the restarted sample has taken the framework over.
          await waitForFailover(cluster, frameworkId);
          new TaskRelease(cluster.workDir).release();
          const status = await second.waitForExit(60_000);
          const output = second.stdout.seen.join('\n');

          expect({
            code: status.code,
            summary: output.split('\n').pop(),
          }).toEqual({ code: 0, summary: `${TASKS}/${TASKS} tasks finished.` });
          const framework = await waitForCompletedFramework(cluster, name);
          expect(framework.id).toBe(frameworkId);
          // The original tasks ran to their end: none relaunched, none killed.
          expect(
            allTasks(framework)
              .map((t) => t.id)
              .sort(),
          ).toEqual(launched);
          expect(Object.values(taskStates(framework))).toEqual(
            launched.map(() => 'TASK_FINISHED'),
          );
          const log = cluster.masterLog();
          expect(log).toMatch(failoverPattern(frameworkId));
          expect(log).toMatch(
            new RegExp(
              `Performing (implicit|explicit) task state reconciliation .*${frameworkId}`,
            ),
          );
          expect(log).not.toMatch(/duplicate ID/);
        },
      ),
    150_000,
  );

  for (const registry of ['in_memory', 'replicated_log'] as const) {
    it.concurrent(
      `master SIGKILLed and restarted (${registry} registry): re-subscribes without aborting, no task relaunched or counted twice`,
      () =>
        withCluster(
          install,
          {
            name: `master-restart-${registry}`,
            registry,
            masterFlags: FAST_PINGS,
          },
          async (cluster, sample) => {
            const name = `mesos-suite-master-restart-${registry}`;
            const { child, framework: before } = await startLongRun(
              cluster,
              sample,
              name,
            );
            const launched = before.tasks.map((t) => t.id).sort();

            await cluster.killMaster('SIGKILL');
            await cluster.restartMaster();
            await cluster.waitForAgentActive(30_000);
            // The tasks end once the restarted master knows them again (the agent re-registered)
            // and the sample has re-subscribed.
            await pollUntil(
              async () => {
                const now = await frameworkOrNone(cluster, name);
                return (
                  now?.connected === true &&
                  now.tasks.filter((t) => t.state === 'TASK_RUNNING').length ===
                    TASKS
                );
              },
              30_000,
              `${name} to re-subscribe with its ${TASKS} tasks running`,
            );
            new TaskRelease(cluster.workDir).release();

            const status = await child.waitForExit(60_000);
            const output = child.stdout.seen.join('\n');
            expect({
              code: status.code,
              summary: output.split('\n').pop(),
            }).toEqual({
              code: 0,
              summary: `${TASKS}/${TASKS} tasks finished.`,
            });
            // Each task reported once as finished in the final table, never relaunched. The
            // table names a task by its logical id (`task-1`); Mesos knows it by the launch's
            // fresh id (`task-1.<hex>`).
            for (const id of launched) {
              const logical = id.replace(/\.[0-9a-f]+$/, '');
              expect(
                output.match(new RegExp(`^${logical} +TASK_FINISHED`, 'gm')),
              ).toHaveLength(1);
            }
            const framework = await waitForCompletedFramework(cluster, name);
            expect(framework.id).toBe(before.id);
            expect(launchesOf(framework)).toBe(TASKS);
            expect(Object.values(taskStates(framework))).toEqual(
              launched.map(() => 'TASK_FINISHED'),
            );
            expect(cluster.masterLog()).not.toMatch(/duplicate ID/);
          },
        ),
      150_000,
    );
  }
});
