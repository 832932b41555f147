import { expect, it } from '@jest/globals';
import { sharedCluster } from './support/cluster-fixture.js';
import { describeWithMesos } from './support/mesos-gate.js';
import {
  allTasks,
  frameworkNamed,
  taskStates,
} from './support/master-state.js';
import { runSample } from './support/sample-cli.js';

/**
 * The sample CLI (`node dist/sample/main.bundle.js`, what `npm start` runs) against a real Mesos 1.12
 * master and agent. The tests share one cluster: each run registers a framework of its own
 * (unique `--name`) and they run one after the other.
 */
describeWithMesos('the sample CLI', (install) => {
  const fixture = sharedCluster(install, { name: 'cli' }, { sample: true });

  it('runs 3 tasks to TASK_FINISHED and exits 0', async () => {
    const name = 'mesos-suite-cli-finished';
    const run = await runSample(
      'sample (3 tasks)',
      ['--master', fixture.cluster.masterAddr, '--name', name],
      90_000,
    );

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Leading master: ${fixture.cluster.masterUpid}`,
    );
    expect(run.stdout).toContain('3/3 tasks finished.');
    for (const task of ['task-1', 'task-2', 'task-3']) {
      expect(run.stdout).toMatch(
        new RegExp(`^${task} +TASK_FINISHED +${fixture.cluster.agentId} `, 'm'),
      );
    }
    // The master saw the same: one framework, three tasks finished on our agent. (Whether the
    // framework was then torn down cleanly is sample-shutdown's subject.)
    const { framework } = await frameworkNamed(fixture.cluster, name);
    expect(Object.values(taskStates(framework))).toEqual([
      'TASK_FINISHED',
      'TASK_FINISHED',
      'TASK_FINISHED',
    ]);
    expect(allTasks(framework).map((t) => t.slave_id)).toEqual([
      fixture.cluster.agentId,
      fixture.cluster.agentId,
      fixture.cluster.agentId,
    ]);
  }, 120_000);

  it('reports a failing command as TASK_FAILED with the agent text and exits 1', async () => {
    const name = 'mesos-suite-cli-failed';
    const run = await runSample(
      'sample (exit 7)',
      [
        '--master',
        fixture.cluster.masterAddr,
        '--name',
        name,
        '--tasks',
        '1',
        '--cmd',
        'exit 7',
      ],
      90_000,
    );

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^task-1 +TASK_FAILED/m);
    // The command executor's message, passed through verbatim.
    expect(run.stdout).toContain('Command exited with status 7');
    expect(run.stdout).toContain('0/1 tasks finished (exit code 1).');
    const { framework } = await frameworkNamed(fixture.cluster, name);
    expect(Object.values(taskStates(framework))).toEqual(['TASK_FAILED']);
  }, 120_000);
});
