import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import type { TaskInfo } from '../../../lib/mesos/index.js';
import {
  firstAgentId,
  type MesosUnderTest,
} from '../support/mesos-under-test.js';
import { pollUntil } from '../support/process-watch.js';
import {
  driverRuns,
  launchOnNextOffer,
  observed,
  task,
  waitForState,
} from './driver-run.js';

/**
 * How the command executor (src/launcher/executor.cpp) kills a task on `target()`: SIGTERM to
 * the process tree, SIGKILL once the kill policy's grace period (3 s by default) has passed;
 * a killed task is TASK_KILLED however it ends, with the wait status in words (strsignal).
 */
export function registerKillScenarios(target: () => MesosUnderTest): void {
  const runs = driverRuns();

  it('kill: SIGTERM, SIGKILL after the grace period; TASK_KILLED with the exit status or signal, also when the task exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesos-kill-'));
    try {
      await killScenario(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  async function killScenario(dir: string) {
    const run = await runs.start(target().masterAddr, target(), 'kill');
    const agentId = await firstAgentId(target());
    // TASK_RUNNING comes when the executor forked its launch helper, before the command runs
    // (the real helper takes a while to load): each command says when it runs, so that the
    // kill reaches it rather than the helper.
    const started = (id: string) => join(dir, `${id}.started`);
    const command = (id: string, script: string) =>
      task(id, agentId, script.replace('STARTED', `touch '${started(id)}'`));
    const tasks: TaskInfo[] = [
      command('term-1', 'STARTED; sleep 300'),
      {
        ...command('ignore-1', "trap '' TERM; STARTED; sleep 300"),
        kill_policy: { grace_period: { nanoseconds: '1000000000' } },
      } as TaskInfo,
      command(
        'exit0-1',
        "trap 'exit 0' TERM; STARTED; while :; do sleep 0.1; done",
      ),
    ];
    const ids = tasks.map((t) => t.task_id.value);
    launchOnNextOffer(run, tasks);
    await pollUntil(
      () => ids.every((id) => existsSync(started(id))),
      30_000,
      'the three commands to run',
    );

    const killedAt = Date.now();
    const ended: Record<string, number> = {};
    for (const id of ids) {
      run.driver.killTask({ value: id }, { value: agentId });
    }
    const killed = await Promise.all(
      ids.map(async (id) => {
        const status = await waitForState(run, id, 'TASK_KILLED');
        ended[id] = Date.now() - killedAt;
        return observed(status);
      }),
    );

    const killedBy = (message: string) => ({
      state: 'TASK_KILLED',
      source: 'SOURCE_EXECUTOR',
      reason: undefined,
      message,
      acknowledgeable: true,
    });
    expect(killed).toEqual([
      killedBy('Command terminated with signal Terminated'),
      killedBy('Command terminated with signal Killed'),
      killedBy('Command exited with status 0'),
    ]);
    // The task that ignores SIGTERM lives out its 1 s grace period.
    expect(ended['ignore-1']).toBeGreaterThanOrEqual(900);
    await runs.tearDown(run, target());
  }
}
