import {
  type INestMicroservice,
  Logger,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LibprocessServer, type Upid } from 'nestjs-libprocess';
import { SchedulerDriver } from 'nestjs-libprocess/mesos';
import type { CliOptions } from './cli/cli-options.js';
import { localAddressTowards, routeHost } from './cli/master-address.js';
import {
  formatSummary,
  type RunOutput,
  type RunResult,
} from './scheduler/run-report.js';
import type { SampleConfig } from './scheduler/sample.config.js';
import { SampleModule } from './scheduler/sample.module.js';
import { SampleScheduler } from './scheduler/sample.scheduler.js';
import {
  MesosSimulator,
  type MesosSimulatorOptions,
} from 'nestjs-libprocess/mesos/testing';

/** Exit codes of the CLI. */
export const EXIT_SUCCESS = 0;
export const EXIT_TASKS_FAILED = 1;
export const EXIT_INTERRUPTED = 130;

/** What a run needs: the CLI's options (the master resolved) and knobs tests turn. */
export type SampleRunOptions = Omit<CliOptions, 'verbose'> &
  Pick<SampleConfig, 'maxRetries' | 'lostGraceMs' | 'adoptWindowMs'> & {
    /** The driver's registration back-off factor (ms). */
    registrationBackoffMs?: number;
  };

/** A libprocess node as a standalone Nest microservice, with ActorModule's server as transport. */
export async function createActorApp(
  module: unknown,
  logger: LoggerService | false,
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module as never, {
    inject: [LibprocessServer],
    useFactory: (server: LibprocessServer) => ({ strategy: server }),
    logger,
  });
  await app.listen();
  return app;
}

/** Starts the embedded master + agent simulator; returns it and the master's pid. */
export async function startSimulator(
  options: MesosSimulatorOptions,
  logger: LoggerService | false,
): Promise<{ app: MesosSimulator; master: Upid }> {
  const app = await MesosSimulator.start({ ...options, logger });
  return { app, master: app.master };
}

/** Starts the sample framework; its driver starts once the node listens. */
export async function startScheduler(
  options: SampleRunOptions,
  logger: LoggerService | false,
  output?: RunOutput,
): Promise<{
  app: INestMicroservice;
  scheduler: SampleScheduler;
  driver: SchedulerDriver;
}> {
  const module = SampleModule.forRoot(
    { ip: options.ip, port: options.port, advertiseIp: options.advertiseIp },
    {
      master: options.master,
      framework: {
        name: options.name,
        user: options.user,
        failover_timeout: options.failoverTimeout,
        ...(options.frameworkId && { id: { value: options.frameworkId } }),
      },
      ...(options.principal && {
        credential: {
          principal: options.principal,
          secretFile: options.secretFile,
        },
      }),
      registrationBackoffMs: options.registrationBackoffMs,
    },
    {
      tasks: options.tasks,
      command: options.cmd,
      cpus: options.cpus,
      mem: options.mem,
      resumeFrameworkId: options.frameworkId,
      stateDir: options.stateDir,
      maxRetries: options.maxRetries,
      lostGraceMs: options.lostGraceMs,
      adoptWindowMs: options.adoptWindowMs,
    },
    output,
  );
  const app = await createActorApp(module, logger);
  return {
    app,
    scheduler: app.get(SampleScheduler),
    driver: app.get(SchedulerDriver),
  };
}

/**
 * What `npm start` does: start the simulator for `--master local`, run the scheduler until every
 * task is terminal (or it aborts, or SIGINT/SIGTERM), and turn the result into an exit code.
 */
export async function runSample(
  options: CliOptions,
  logger: LoggerService,
  output: RunOutput = process.stdout,
): Promise<number> {
  // Also for the lines logged before the first Nest app exists.
  Logger.overrideLogger(logger);
  const local = options.master === 'local';
  let simulator: MesosSimulator | undefined;
  let scheduler: INestMicroservice | undefined;
  let interrupted = false;
  let result: RunResult;
  let sample: SampleScheduler | undefined;
  const onSignal = () => {
    interrupted = true;
    sample?.interrupt();
  };
  try {
    let master = options.master;
    if (local) {
      const sim = await startSimulator({ ip: '127.0.0.1' }, logger);
      simulator = sim.app;
      master = sim.app.address;
    }
    const ip =
      options.ip ??
      (local ? '127.0.0.1' : (process.env.LIBPROCESS_IP ?? '0.0.0.0'));
    const advertiseIp =
      options.advertiseIp ??
      (ip !== '0.0.0.0'
        ? ip
        : (process.env.LIBPROCESS_ADVERTISE_IP ??
          (await localAddressTowards(routeHost(master)))));

    const started = await startScheduler(
      { ...options, master, ip, advertiseIp },
      logger,
      output,
    );
    scheduler = started.app;
    sample = started.scheduler;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    result = await started.scheduler.finished;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // Closing flushes what is queued (the TEARDOWN) before the sockets go.
    await scheduler?.close();
    await simulator?.close();
  }
  // Last, so that the table is not interleaved with the shutdown's log lines.
  output.write(`\n${formatSummary(result, Date.now())}\n`);
  if (result.succeeded) return EXIT_SUCCESS;
  return interrupted ? EXIT_INTERRUPTED : EXIT_TASKS_FAILED;
}
