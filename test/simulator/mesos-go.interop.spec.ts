import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { describeRequiring } from '../support/require-gate.js';
import { REPO_ROOT } from '../support/paths.js';
import { SpawnedProcess, stopAllSpawned } from '../support/spawned-process.js';
import { waitFor } from '../support/wait-for.js';
import { Cluster } from './simulator-test.helpers.js';

const GO = process.env.GO ?? '/usr/bin/go';
const GOPATH = '/usr/share/gocode';
const MESOS_GO = join(GOPATH, 'src/github.com/mesos/mesos-go/api/v0/scheduler');
/** The Go peer's build cache (../shared/peers/setup.sh), so mesos-go compiles once. */
const GOCACHE = join(
  process.env.PEERS_HOME ?? join(homedir(), '.cache', 'libprocess-peers'),
  'go-build-cache',
);
const BINARY = join(
  tmpdir(),
  `nestjs-libprocess-mesos-go-framework-${process.pid}`,
);
/** glog writes its files here (removed after the suite), not into the shared tmp dir. */
const GLOG_DIR = `${BINARY}-logs`;

const availability = !existsSync(GO)
  ? { ok: false as const, reason: `no Go compiler at ${GO}` }
  : !existsSync(MESOS_GO)
    ? { ok: false as const, reason: `no mesos-go sources in ${GOPATH}` }
    : { ok: true as const };

/**
 * mesos-go 0.0.6's v0 scheduler driver (an independent implementation: gogo protobuf, Go
 * net/http, the legacy scheduler messages, the standalone detector's `GET /state`) against the
 * simulator, with the Go framework of ./mesos-go/framework.
 */
describeRequiring(
  'MesosSimulator with mesos-go v0 scheduler driver',
  { ...availability, installHint: 'bash ../shared/peers/setup.sh' } as never,
  {
    what: 'mesos-go (Go + golang-github-mesos-mesos-go-dev)',
    requiredBy: 'LIBPROCESS_INTEROP_REQUIRED',
  },
  () => {
    const cluster = new Cluster();

    beforeAll(async () => {
      mkdirSync(GOCACHE, { recursive: true });
      await promisify(execFile)(
        GO,
        ['build', '-o', BINARY, './test/simulator/mesos-go/framework'],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            GO111MODULE: 'off',
            GOPATH,
            GOFLAGS: '',
            GOCACHE,
          },
          timeout: 600_000,
        },
      );
    }, 620_000);

    afterEach(async () => {
      await stopAllSpawned();
      await cluster.close();
    });

    afterAll(async () => {
      await import('node:fs/promises').then((fs) =>
        Promise.all([
          fs.rm(BINARY, { force: true }),
          fs.rm(GLOG_DIR, { recursive: true, force: true }),
        ]),
      );
    });

    // mesos-go's glog reads its settings from flags (flag.Parse in main.go), not the environment.
    const framework = (label: string, args: string[]) => {
      mkdirSync(GLOG_DIR, { recursive: true });
      return SpawnedProcess.start(label, BINARY, [
        `-log_dir=${GLOG_DIR}`,
        ...args,
      ]);
    };

    /** Reads lines until one starts with `prefix`; returns it. */
    async function line(
      process: SpawnedProcess,
      prefix: string,
    ): Promise<string> {
      for (;;) {
        const next = await process.stdout.next(20_000);
        if (next.startsWith(prefix)) return next;
      }
    }

    it('registers through GET /state, runs 3 tasks, kills one, reconciles and unregisters', async () => {
      const sim = await cluster.simulator({ allocationIntervalMs: 200 });
      const go = framework('mesos-go run', ['-master', sim.address, 'run']);
      const registered = await line(go, 'REGISTERED');
      const frameworkId = registered.split(' ')[1];
      expect(registered).toBe(`REGISTERED ${frameworkId} ${sim.master}`);
      const status = await go.waitForExit(60_000);
      expect({ status, stderr: status.code === 0 ? '' : go.stderr }).toEqual({
        status: { code: 0, signal: null },
        stderr: '',
      });
      const lines = go.stdout.seen;
      expect(lines).toEqual(
        expect.arrayContaining([
          'UPDATE task-1 TASK_FINISHED',
          'UPDATE task-2 TASK_FINISHED',
          'UPDATE task-3 TASK_RUNNING',
          'UPDATE task-3 TASK_KILLED',
          // The acknowledged terminal updates removed the tasks: unknown to the agent now.
          'RECONCILED task-1 TASK_LOST',
          'RECONCILED task-2 TASK_LOST',
          'RECONCILED task-3 TASK_LOST',
          'DONE',
          'STOPPED DRIVER_STOPPED',
        ]),
      );
      await waitFor(
        () =>
          (sim.state().completed_frameworks as Array<{ id: string }>).some(
            (f) => f.id === frameworkId,
          ),
        10_000,
        'the framework to be removed',
      );
      const names = sim
        .received()
        .map((m) => m.name.replace('mesos.internal.', ''));
      expect(names).toEqual(
        expect.arrayContaining([
          'RegisterFrameworkMessage',
          'LaunchTasksMessage',
          'StatusUpdateAcknowledgementMessage',
          'KillTaskMessage',
          'ReconcileTasksMessage',
          'UnregisterFrameworkMessage',
        ]),
      );
      // Every update with a uuid was acknowledged: STARTING, RUNNING and a terminal state each.
      expect(
        names.filter((n) => n === 'StatusUpdateAcknowledgementMessage'),
      ).toHaveLength(9);
      expect(sim.agents[0].taskStates()).toEqual([]);
    }, 90_000);

    it('fails over: SIGKILLed, restarted with its framework id, it finds its task still running', async () => {
      const sim = await cluster.simulator({ allocationIntervalMs: 200 });
      const first = framework('mesos-go start', [
        '-master',
        sim.address,
        'start',
      ]);
      const frameworkId = (await line(first, 'REGISTERED')).split(' ')[1];
      await line(first, 'WAITING');
      // mesos-go acknowledges TASK_RUNNING once the callback that printed WAITING returns: a
      // kill before that acknowledgement reached the agent makes it re-send TASK_RUNNING to the
      // next instance (rightly, as a real agent does), which this scenario does not test.
      await waitFor(
        () =>
          sim.agents[0]
            .taskStates()
            .some(
              (task) => task.state === 'TASK_RUNNING' && task.pending === 0,
            ),
        10_000,
        'the TASK_RUNNING update of `long` to be acknowledged',
      );
      await first.stop(); // SIGKILL
      await waitFor(
        () => sim.logged(`Framework ${frameworkId} disconnected`).length > 0,
        10_000,
        'the master to see the scheduler go',
      );
      expect(sim.logged('Giving framework')[0].message).toContain(
        '120secs to failover',
      );

      const second = framework('mesos-go resume', [
        '-master',
        sim.address,
        '-framework-id',
        frameworkId,
        'resume',
      ]);
      expect(await line(second, 'REGISTERED')).toBe(
        `REGISTERED ${frameworkId} ${sim.master}`,
      );
      expect(await line(second, 'RECONCILED')).toBe(
        'RECONCILED long TASK_RUNNING',
      );
      expect(await line(second, 'UPDATE')).toBe('UPDATE long TASK_KILLED');
      expect((await second.waitForExit(30_000)).code).toBe(0);
      // ReregisterFrameworkMessage{failover: true} is a forced subscription: a failover (the
      // driver may retry it before the answer arrives; each retry fails over again, as in Mesos).
      expect(
        sim.logged(`Framework ${frameworkId} failed over`).length,
      ).toBeGreaterThanOrEqual(1);
      // Declines are empty LaunchTasksMessages: only the first process launched anything.
      expect(
        sim
          .received('mesos.internal.LaunchTasksMessage')
          .filter((m) => (m.body as { tasks: unknown[] }).tasks.length > 0),
      ).toHaveLength(1);
      await waitFor(
        () =>
          (sim.state().completed_frameworks as Array<{ id: string }>).some(
            (f) => f.id === frameworkId,
          ),
        10_000,
        'the framework to be removed',
      );
    }, 90_000);
  },
);
