import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from '@jest/globals';
import type { TaskInfo } from '../../../lib/mesos/index.js';
import { type MesosUnderTest } from '../support/mesos-under-test.js';
import {
  driverRuns,
  launchOnNextOffer,
  task,
  waitForState,
} from './driver-run.js';

/** `env` output as a map (values hold no newline here). */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [
        line.slice(0, line.indexOf('=')),
        line.slice(line.indexOf('=') + 1),
      ]),
  );
}

/**
 * What a command task finds in its environment and working directory on `target()`: the
 * variables the agent gives the command executor (slave.cpp executorEnvironment; not the
 * agent's own environment), the sandbox, MESOS_ALLOCATION_ROLE and CommandInfo.environment
 * added by the executor (launcher/executor.cpp), the host's default PATH. No MESOS_TASK_ID:
 * a command task's executor id is its task id.
 */
export function registerTaskEnvironmentScenarios(
  target: () => MesosUnderTest,
): void {
  const runs = driverRuns();
  // Outside any sandbox: both the real agent (same machine, same user) and the simulator's
  // tasks can write here. Made by the test (hooks do not run when the tests are filtered out).
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('a command task sees the command executor environment, runs in its sandbox and writes its output there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mesos-task-env-'));
    const [plain, checkpointing] = await Promise.all([
      runs.start(target().masterAddr, target(), 'task-env'),
      runs.start(target().masterAddr, target(), 'task-env-checkpoint', {
        framework: {
          name: 'mesos-suite-task-env-checkpoint',
          checkpoint: true,
          failover_timeout: 60,
        },
      }),
    ]);
    const state = await target().masterJson<{
      slaves: Array<{ id: string; pid: string }>;
    }>('/master/state');
    const agent = state.slaves[0];
    const envTask = (id: string, extra: Partial<TaskInfo> = {}): TaskInfo => {
      const info = task(
        id,
        agent.id,
        `env > '${join(dir, id)}'; echo "output of $MESOS_EXECUTOR_ID"`,
      );
      return {
        ...info,
        ...extra,
        command: { ...info.command, ...extra.command },
      };
    };
    // Both at once: the allocator offers the whole agent to one framework at a time, and each
    // declines what it does not use.
    launchOnNextOffer(plain, [
      envTask('env-1', {
        command: {
          environment: { variables: [{ name: 'GREETING', value: 'hello' }] },
        },
      } as Partial<TaskInfo>),
    ]);
    // A kill policy lengthens the executor's shutdown grace period (+ 1 s reap interval + 1 s).
    launchOnNextOffer(checkpointing, [
      envTask('env-2', {
        kill_policy: { grace_period: { nanoseconds: '2500000000' } },
      } as Partial<TaskInfo>),
    ]);
    await Promise.all([
      waitForState(plain, 'env-1', 'TASK_FINISHED'),
      waitForState(checkpointing, 'env-2', 'TASK_FINISHED'),
    ]);

    const sandboxOf = (frameworkId: string, taskId: string) =>
      new RegExp(
        `^/.+/slaves/${agent.id}/frameworks/${frameworkId}/executors/${taskId}/runs/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$`,
      );
    const endpoint = agent.pid.slice(agent.pid.indexOf('@') + 1);
    const common = {
      LIBPROCESS_IP: endpoint.split(':')[0],
      LIBPROCESS_PORT: '0',
      MESOS_AGENT_ENDPOINT: endpoint,
      MESOS_ALLOCATION_ROLE: '*',
      MESOS_HTTP_COMMAND_EXECUTOR: '0',
      MESOS_SLAVE_ID: agent.id,
      MESOS_SLAVE_PID: agent.pid,
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    };
    const observe = (frameworkId: string, taskId: string) => {
      const env = parseEnv(readFileSync(join(dir, taskId), 'utf8'));
      const sandbox = env.MESOS_SANDBOX;
      expect(sandbox).toMatch(sandboxOf(frameworkId, taskId));
      expect([env.MESOS_DIRECTORY, env.PWD]).toEqual([sandbox, sandbox]);
      const stdout = readFileSync(join(sandbox, 'stdout'), 'utf8');
      expect(stdout).toContain(`output of ${taskId}\n`);
      return env;
    };

    expect(observe(plain.driver.frameworkId!, 'env-1')).toEqual({
      ...common,
      GREETING: 'hello',
      MESOS_CHECKPOINT: '0',
      MESOS_DIRECTORY: expect.any(String),
      MESOS_EXECUTOR_ID: 'env-1',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
      MESOS_FRAMEWORK_ID: plain.driver.frameworkId,
      MESOS_SANDBOX: expect.any(String),
      PWD: expect.any(String),
    });
    expect(observe(checkpointing.driver.frameworkId!, 'env-2')).toEqual({
      ...common,
      MESOS_CHECKPOINT: '1',
      MESOS_DIRECTORY: expect.any(String),
      MESOS_EXECUTOR_ID: 'env-2',
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '4500ms',
      MESOS_FRAMEWORK_ID: checkpointing.driver.frameworkId,
      MESOS_RECOVERY_TIMEOUT: '15mins',
      MESOS_SANDBOX: expect.any(String),
      MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs',
      PWD: expect.any(String),
    });
    await Promise.all([
      runs.tearDown(plain, target()),
      runs.tearDown(checkpointing, target()),
    ]);
  }, 60_000);
}
