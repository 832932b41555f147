import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';

import { MesosSimulator } from '../../lib/mesos/testing/index.js';
import { parseCliArgs } from '../../sample/cli/cli-options.js';
import { runSample } from '../../sample/run-sample.js';
import { describeWithZooKeeper } from '../mesos/support/mesos-gate.js';
import { ZooKeeperServer } from '../mesos/support/zookeeper-server.js';
import { CapturedOutput } from './sample-test.helpers.js';
import { waitFor } from '../support/wait-for.js';

/** The framework ids a simulated master knows (registered or completed). */
function frameworkIds(sim: MesosSimulator, key: string): string[] {
  return (sim.state()[key] as Array<{ id: string }>).map((fw) => fw.id);
}

/**
 * The run's exit code; past `timeoutMs` the run is interrupted as by Ctrl-C (so that nothing is
 * left running) and the test fails with its last log lines.
 */
async function endsWithin(
  run: Promise<number>,
  timeoutMs: number,
  log: KeptLog,
): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const first = await Promise.race([run, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  process.emit('SIGINT');
  await run;
  throw new Error(
    `The sample still ran after ${timeoutMs} ms:\n${log.lines.slice(-20).join('\n')}`,
  );
}

/** Keeps the run's log lines (shown when the test fails) instead of printing them. */
class KeptLog implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) {
    this.lines.push(String(message));
  }
  error(message: unknown) {
    this.lines.push(`ERROR ${String(message)}`);
  }
  warn(message: unknown) {
    this.lines.push(`WARN ${String(message)}`);
  }
  debug() {
    // Not kept: the run's story is in the log and warn lines.
  }
  verbose() {
    // Not kept either.
  }
}

/**
 * The sample's command line (parseCliArgs, then runSample as main.ts does, in this process) with
 * `--master zk://127.0.0.1:PORT/mesos`, against two simulated masters that register
 * `json.info_*` znodes in a real ZooKeeper.
 */
describeWithZooKeeper(
  'sample CLI with --master zk:// against a real ZooKeeper',
  (install) => {
    const closables: Array<{ close(): Promise<unknown> } | ZooKeeperServer> =
      [];
    const dirs: string[] = [];
    afterAll(async () => {
      for (const item of closables.reverse()) {
        await (item instanceof ZooKeeperServer ? item.stop() : item.close());
      }
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('registers with the leader of the znodes, follows the election when that master dies, and runs every task on the new leader', async () => {
      const zk = await ZooKeeperServer.start(install, 500);
      closables.push(zk);
      const url = zk.url('/mesos');
      // The first master leads but has no agent: the framework waits there for offers.
      const first = await MesosSimulator.start({
        logger: false,
        zk: url,
        zkSessionTimeoutMs: 2000,
        agents: 0,
      });
      closables.push(first);
      const second = await MesosSimulator.start({
        logger: false,
        zk: url,
        zkSessionTimeoutMs: 2000,
      });
      closables.push(second);
      const stateDir = mkdtempSync(join(tmpdir(), 'sample-zk-state-'));
      dirs.push(stateDir);

      const command = parseCliArgs([
        '--master',
        url,
        '--tasks',
        '3',
        '--state-dir',
        stateDir,
        '--failover-timeout',
        '60',
        '--ip',
        '127.0.0.1',
      ]);
      if (command.kind !== 'run') throw new Error('not a run');
      const output = new CapturedOutput();
      const log = new KeptLog();
      const exitCode = runSample(command.options, log, output);
      await waitFor(
        () => frameworkIds(first, 'frameworks').length === 1,
        30_000,
        'the framework registered with the leading master',
      );
      const [frameworkId] = frameworkIds(first, 'frameworks');
      expect(second.calls).toHaveLength(0);

      // The leader goes: its ZooKeeper session ends with it, the second znode leads.
      await first.close();
      const code = await endsWithin(exitCode, 60_000, log);

      expect({
        code,
        summary: output.text.trim().split('\n').pop(),
        log: code === 0 ? [] : log.lines.slice(-20),
      }).toEqual({ code: 0, summary: '3/3 tasks finished.', log: [] });
      expect(log.lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^Framework ${frameworkId} (re)?registered with ${second.master}`,
          ),
        ),
      );
      // Re-subscribed to the new leader with its framework id (force: false, a failover).
      const subscribe = second.calls.find(
        ({ call }) => call.type === 'SUBSCRIBE',
      )!.call;
      expect(subscribe.framework_id?.value).toBe(frameworkId);
      expect(
        second.calls.filter(({ call }) => call.type === 'ACCEPT'),
      ).not.toHaveLength(0);
      expect(second.calls[second.calls.length - 1].call.type).toBe('TEARDOWN');
      await waitFor(
        () =>
          frameworkIds(second, 'completed_frameworks').includes(frameworkId),
        10_000,
        'the framework torn down at the new leader',
      );
      // Torn down: no state left to resume.
      expect(readdirSync(stateDir)).toEqual([]);
    }, 120_000);
  },
);
