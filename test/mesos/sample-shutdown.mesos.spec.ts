import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import { sharedCluster } from './support/cluster-fixture.js';
import { describeWithMesos } from './support/mesos-gate.js';
import {
  masterMetrics,
  refusedCalls,
  taskStates,
  waitForCompletedFramework,
} from './support/master-state.js';
import { processGone, pollUntil } from './support/process-watch.js';
import { runSample, startSample } from './support/sample-cli.js';

/**
 * How many sample runs the fault A test makes (the issue asks for 50), and how many run at a
 * time, each with a framework of its own on one cluster. The fault is about each run's own end
 * (its last ACKNOWLEDGE and TEARDOWN processed before it closes), so concurrent runs test it as
 * well as consecutive ones, and they load the master and the machine, which makes a lost final
 * call more likely, not less. The fault showed in 14 of 42 runs (1 in 3): 50 clean runs happen
 * by chance with that rate in (2/3)^50 = 2e-9 of suite runs, and a fix that only made it 10
 * times rarer would still be caught in 81 % of them.
 *
 * Cost: a run is CPU-bound, about 1.9 s of CPU for the sample (1.65 s of it is Node loading
 * the app, measured with `--help`) plus the command executor's; 8 at a time keep both cores
 * busy while other runs wait on the master. Each run gets a generous timeout: it is a safety
 * net for a run that never exits, not a measure of speed.
 */
const FAULT_A_RUNS = Number(process.env.MESOS_FAULT_A_RUNS ?? 50);
const FAULT_A_PARALLEL = Number(process.env.MESOS_FAULT_A_PARALLEL ?? 8);
const RUN_TIMEOUT_MS = 150_000;

/**
 * The end of a run against a real master (fault A of issue 15): the last ACKNOWLEDGE and the
 * TEARDOWN must be processed by the master before the scheduler closes its connections, or
 * the master marks the framework disconnected, refuses both calls ("Refusing ... Framework
 * disconnected") and keeps it, inactive, until its failover timeout.
 */
describeWithMesos('orderly shutdown of the sample (fault A)', (install) => {
  const fixture = sharedCluster(
    install,
    { name: 'shutdown' },
    { sample: true },
  );

  it('on SIGINT tears the framework down (completed on the master), kills its task and exits 130', async () => {
    const name = 'mesos-suite-sigint';
    const pidFile = join(fixture.scratch, 'sigint-task.pid');
    const child = startSample('sample (SIGINT)', [
      '--master',
      fixture.cluster.masterAddr,
      '--name',
      name,
      '--tasks',
      '1',
      // The task notes its pid, so that the test can tell it is gone without searching the machine.
      '--cmd',
      `echo $$ > ${pidFile}; exec sleep 300`,
    ]);
    await pollUntil(
      () => child.stdout.seen.some((line) => /task-1 +TASK_RUNNING/.test(line)),
      60_000,
      'task-1 to be RUNNING',
    );
    await pollUntil(
      () => {
        try {
          return /^\d+\n$/.test(readFileSync(pidFile, 'utf8'));
        } catch {
          return false;
        }
      },
      10_000,
      'the task to write its pid',
    );
    const taskPid = Number(readFileSync(pidFile, 'utf8'));
    expect(processGone(taskPid)).toBe(false);

    child.kill('SIGINT');
    const status = await child.waitForExit(30_000);

    expect(status.code).toBe(130);
    expect(child.stdout.seen.join('\n')).toContain(
      'Aborted: interrupted. 0/1 tasks finished.',
    );
    // TEARDOWN reached the master: the framework is completed, not left inactive until its
    // failover timeout, and its task was killed by the agent.
    const framework = await waitForCompletedFramework(fixture.cluster, name);
    expect(Object.values(taskStates(framework))).toEqual(['TASK_KILLED']);
    expect(refusedCalls(fixture.cluster.masterLog(), framework.id)).toEqual([]);
    await pollUntil(
      () => processGone(taskPid),
      15_000,
      `task process ${taskPid} to be killed`,
    );
  }, 120_000);

  it(`${FAULT_A_RUNS} runs (${FAULT_A_PARALLEL} at a time) each end with the framework completed and no call refused`, async () => {
    const before = await masterMetrics(fixture.cluster);
    const names = Array.from(
      { length: FAULT_A_RUNS },
      (_, i) => `mesos-suite-fault-a-${i + 1}`,
    );
    const failures: string[] = [];
    // A pool: each of FAULT_A_PARALLEL workers starts the next run as soon as its last one
    // ended, so that no run waits for the slowest of a round.
    const queue = [...names];
    const worker = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        let run: Awaited<ReturnType<typeof runSample>>;
        try {
          run = await runSample(
            name,
            [
              '--master',
              fixture.cluster.masterAddr,
              '--name',
              name,
              '--tasks',
              '1',
              '--cmd',
              'true',
            ],
            RUN_TIMEOUT_MS,
          );
        } catch (error) {
          // Killed after its timeout (it did not exit): recorded, and the other runs go on.
          failures.push((error as Error).message);
          continue;
        }
        if (run.code !== 0) {
          failures.push(
            `${name}: exit ${run.code} ${run.signal ?? ''}: ${run.stdout.slice(-500)} ${run.stderr.slice(-500)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: FAULT_A_PARALLEL }, worker));
    expect(failures).toEqual([]);

    // Every framework torn down: completed on the master, none left (inactive) in `frameworks`.
    const lingering: string[] = [];
    for (const name of names) {
      try {
        await waitForCompletedFramework(fixture.cluster, name, 5_000);
      } catch (error) {
        lingering.push((error as Error).message);
      }
    }
    expect(lingering).toEqual([]);
    expect(refusedCalls(fixture.cluster.masterLog())).toEqual([]);

    // Each run's task had three updates (STARTING, RUNNING, FINISHED), each acknowledged once.
    const after = await masterMetrics(fixture.cluster);
    const delta = (key: string) => after[key] - before[key];
    expect({
      updates: delta('master/valid_status_updates'),
      acknowledged: delta('master/valid_status_update_acknowledgements'),
      invalidAcknowledgements: delta(
        'master/invalid_status_update_acknowledgements',
      ),
      dropped: delta('master/dropped_messages'),
    }).toEqual({
      updates: 3 * FAULT_A_RUNS,
      acknowledged: 3 * FAULT_A_RUNS,
      invalidAcknowledgements: 0,
      dropped: 0,
    });
  }, 900_000);
});
