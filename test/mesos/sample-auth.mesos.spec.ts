import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from '@jest/globals';
import { startDriverApp } from '../driver/support/driver-harness.js';
import { sharedCluster } from './support/cluster-fixture.js';
import { describeWithMesos } from './support/mesos-gate.js';
import { frameworkNamed, frameworksNamed } from './support/master-state.js';
import { pollUntil } from './support/process-watch.js';
import { runSample } from './support/sample-cli.js';

const PRINCIPAL = 'mesos-suite';
const SECRET = 'mesos-suite-secret';

/**
 * Framework authentication against a master run with `--authenticate_frameworks` and a
 * credentials file: what the master answers, surfaced by the sample with the master's text.
 */
describeWithMesos('framework authentication (sample CLI)', (install) => {
  const fixture = sharedCluster(
    install,
    {
      name: 'auth',
      credentials: [{ principal: PRINCIPAL, secret: SECRET }],
      authenticateFrameworks: true,
    },
    { sample: true },
  );

  it('without credentials: the master refuses the subscription and the sample exits 1 with its text', async () => {
    const name = 'mesos-suite-auth-none';
    const run = await runSample(
      'sample (no credentials)',
      ['--master', fixture.cluster.masterAddr, '--name', name, '--tasks', '1'],
      60_000,
    );

    expect(run.code).toBe(1);
    // The master's own words (master.cpp), passed through.
    expect(run.stdout).toMatch(
      /framework error from master@127\.0\.0\.1:\d+: Framework at scheduler-\S+@127\.0\.0\.1:\d+ is not authenticated/,
    );
    expect(run.stdout).toContain('0/1 tasks finished');
    expect(fixture.cluster.masterLog()).toMatch(
      new RegExp(
        `Refusing subscription of framework '${name}' at \\S+: Framework at \\S+ is not authenticated`,
      ),
    );
    expect(await frameworksNamed(fixture.cluster, name)).toEqual([]);
  }, 90_000);

  it('the driver authenticates with CRAM-MD5 (secret file) and registers with its principal', async () => {
    const secretFile = join(fixture.scratch, 'secret');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    const name = 'mesos-suite-auth-driver-ok';
    const { app, driver, scheduler } = await startDriverApp({
      master: fixture.cluster.masterAddr,
      framework: { name, failover_timeout: 0 },
      credential: { principal: PRINCIPAL, secretFile },
    });
    try {
      await pollUntil(
        () =>
          scheduler.count('registered') === 1 || scheduler.errors.length > 0,
        30_000,
        'the driver to register',
      );
      expect(scheduler.errors).toEqual([]);
      const { framework } = await frameworkNamed(fixture.cluster, name);
      expect(framework.principal).toBe(PRINCIPAL);
      expect(fixture.cluster.masterLog()).toMatch(
        new RegExp(`Successfully authenticated principal '${PRINCIPAL}'`),
      );
      driver.stop();
    } finally {
      await app.close();
    }
  }, 60_000);

  it('the driver with a wrong secret: the error callback reports the refusal, nothing registers', async () => {
    const name = 'mesos-suite-auth-driver-wrong';
    const { app, scheduler } = await startDriverApp({
      master: fixture.cluster.masterAddr,
      framework: { name, failover_timeout: 0 },
      credential: { principal: PRINCIPAL, secret: 'not-the-secret' },
    });
    try {
      await pollUntil(
        () => scheduler.errors.length > 0,
        30_000,
        'the error callback',
      );
      expect(scheduler.errors[0]).toMatch(/authenticat/i);
      expect(scheduler.count('registered')).toBe(0);
      // The authenticator answers before the master logs its verdict.
      await pollUntil(
        () =>
          /Authentication of scheduler-\S+ was unsuccessful: Invalid credentials/.test(
            fixture.cluster.masterLog(),
          ),
        10_000,
        "the master's verdict in its log",
      );
      expect(await frameworksNamed(fixture.cluster, name)).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
