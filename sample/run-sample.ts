import {
  type INestMicroservice,
  Logger,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ActorRef, LibprocessServer, Upid } from '../lib/index.js';
import type { CliOptions } from './cli/cli-options.js';
import {
  detectLeader,
  localAddressTowards,
  resolveMasterPid,
} from './cli/master-address.js';
import {
  formatSummary,
  type RunOutput,
  type RunResult,
} from './scheduler/run-report.js';
import type { SchedulerConfig } from './scheduler/scheduler.config.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { SchedulerProcess } from './scheduler/scheduler.process.js';
import { SchedulerService } from './scheduler/scheduler.service.js';
import {
  MesosSimulator,
  type MesosSimulatorOptions,
} from '../lib/mesos/testing/index.js';

/** Exit codes of the CLI. */
export const EXIT_SUCCESS = 0;
export const EXIT_TASKS_FAILED = 1;
export const EXIT_INTERRUPTED = 130;

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

export async function startScheduler(
  config: SchedulerConfig,
  logger: LoggerService | false,
  output?: RunOutput,
): Promise<{ app: INestMicroservice; scheduler: SchedulerService }> {
  const app = await createActorApp(
    SchedulerModule.forRoot(config, output),
    logger,
  );
  return { app, scheduler: app.get(SchedulerService) };
}

/**
 * What `npm start` does: start the simulator for `--master local`, find the leading master,
 * run the scheduler until every task is terminal (or it aborts, or SIGINT/SIGTERM), and turn the result
 * into an exit code.
 */
export async function runSample(
  options: CliOptions,
  logger: LoggerService,
  output: RunOutput = process.stdout,
): Promise<number> {
  // Also for the lines logged before the first Nest app exists.
  Logger.overrideLogger(logger);
  const log = new Logger('Sample');
  const local = options.master === 'local';
  let simulator: MesosSimulator | undefined;
  let scheduler: INestMicroservice | undefined;
  let interrupted = false;
  let result: RunResult;
  const onSignal = () => {
    interrupted = true;
    if (scheduler) {
      // Onto the scheduler process' queue, like any other event of the state machine.
      const actors = scheduler.get(ActorRef);
      void actors.dispatch(
        actors.self(scheduler.get(SchedulerProcess)),
        'interrupt',
      );
    }
  };
  try {
    let master: Upid;
    if (local) {
      ({ app: simulator, master } = await startSimulator(
        { ip: '127.0.0.1' },
        logger,
      ));
    } else {
      master = await resolveMasterPid(options.master);
    }
    master = await detectLeader(master);
    const ip =
      options.ip ??
      (local ? '127.0.0.1' : (process.env.LIBPROCESS_IP ?? '0.0.0.0'));
    const advertiseIp =
      options.advertiseIp ??
      (ip !== '0.0.0.0'
        ? ip
        : (process.env.LIBPROCESS_ADVERTISE_IP ??
          (await localAddressTowards(master.host, master.port))));
    if (!local) {
      log.log(`Leading master: ${master}`);
    }

    const started = await startScheduler(
      {
        master: master.toString(),
        tasks: options.tasks,
        command: options.cmd,
        cpus: options.cpus,
        mem: options.mem,
        frameworkName: options.name,
        user: options.user,
        failoverTimeout: options.failoverTimeout,
        frameworkId: options.frameworkId,
        ip,
        port: options.port,
        advertiseIp,
      },
      logger,
      output,
    );
    scheduler = started.app;
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
