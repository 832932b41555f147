import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** What the command line asks for; `master: 'local'` starts the embedded master simulator. */
export interface CliOptions {
  master: string;
  tasks: number;
  cmd: string;
  cpus: number;
  mem: number;
  name: string;
  user: string;
  failoverTimeout: number;
  frameworkId?: string;
  /** Where the tasks are recorded per framework id (unset: not recorded, as in tests). */
  stateDir?: string;
  ip?: string;
  port: number;
  advertiseIp?: string;
  /** Framework authentication (CRAM-MD5): the principal and a file holding its secret. */
  principal?: string;
  secretFile?: string;
  verbose: boolean;
}

export type CliCommand =
  { kind: 'run'; options: CliOptions } | { kind: 'help' };

/** A command line that cannot run: the message says which flag and why. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const USAGE = `Usage: npm start -- [options]

A Mesos framework scheduler written as a NestJS app on nestjs-libprocess. It registers with a
master, launches --tasks copies of --cmd on the offers it gets, acknowledges every status update,
prints a line per task state change and a summary, then tears the framework down.

Options:
  --master <address|local>    Mesos master to register with: host:port (a non-leading master's
                              redirect is followed), zk://[user:pass@]host:port[,...]/path (the
                              leader registered in ZooKeeper, followed through failovers) or
                              file:///path holding either; "local" (default) starts an embedded
                              master + agent simulator in this process (a test double, not Mesos)
  --tasks <n>                 number of tasks to run (default 3)
  --cmd <command>             shell command of each task (default "echo hello")
  --cpus <n>                  cpus per task (default 0.1)
  --mem <mb>                  memory per task in MB (default 32)
  --name <name>               framework name (default "nestjs-libprocess-sample")
  --user <user>               user the tasks run as (default: the current user)
  --failover-timeout <s>      seconds the master keeps the framework while disconnected (default 60)
  --framework-id <id>         resume this framework after a scheduler restart (subscribes with force,
                              takes back the tasks recorded in --state-dir: finished ones are not
                              launched again, active ones are reconciled and adopted)
  --state-dir <dir>           where the scheduler records its tasks, one file per framework id,
                              removed at teardown (default $TMPDIR/nestjs-libprocess-sample)
  --principal <name>          authenticate the framework (CRAM-MD5) as this principal
  --secret-file <path>        file holding the principal's secret (with --principal)
  --ip <ip>                   ip to listen on (default 127.0.0.1 with --master local, else
                              LIBPROCESS_IP or 0.0.0.0)
  --port <port>               port to listen on (default 0: any free port)
  --advertise-ip <ip>         ip the master should connect back to (default: the --ip, or the
                              local address that routes to the master)
  --verbose                   debug logging
  --help                      show this help

Exit code: 0 when every task FINISHED, 1 otherwise, 130 when interrupted (SIGINT, SIGTERM),
2 for a bad command line.`;

/** The default of --state-dir. */
export const DEFAULT_STATE_DIR = join(tmpdir(), 'nestjs-libprocess-sample');

function positiveNumber(flag: string, raw: string, integer = false): number {
  const value = Number(raw);
  if (
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new CliUsageError(
      `--${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`,
    );
  }
  return value;
}

/** Parses `process.argv.slice(2)`; throws {@link CliUsageError} for anything it cannot run. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        master: { type: 'string', default: 'local' },
        tasks: { type: 'string', default: '3' },
        cmd: { type: 'string', default: 'echo hello' },
        cpus: { type: 'string', default: '0.1' },
        mem: { type: 'string', default: '32' },
        name: { type: 'string', default: 'nestjs-libprocess-sample' },
        user: { type: 'string' },
        'failover-timeout': { type: 'string', default: '60' },
        'framework-id': { type: 'string' },
        'state-dir': { type: 'string' },
        ip: { type: 'string' },
        port: { type: 'string', default: '0' },
        'advertise-ip': { type: 'string' },
        principal: { type: 'string' },
        'secret-file': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  if (values.help) {
    return { kind: 'help' };
  }

  const master = values.master.trim();
  if (
    master !== 'local' &&
    !/^(master@)?[^\s@/]+:\d{1,5}$/.test(master) &&
    !/^zk:\/\/([^@/\s]+@)?[^\s/@]+:\d{1,5}(,[^\s/@,]+:\d{1,5})*(\/\S*)?$/.test(
      master,
    ) &&
    !/^file:\/\/\/\S+$/.test(master)
  ) {
    throw new CliUsageError(
      `--master must be "local", host:port, zk://host:port[,...]/path or file:///path, got "${master}"`,
    );
  }
  if (
    (values.principal === undefined) !==
    (values['secret-file'] === undefined)
  ) {
    throw new CliUsageError('--principal and --secret-file go together');
  }
  const failoverTimeout = Number(values['failover-timeout']);
  if (!Number.isFinite(failoverTimeout) || failoverTimeout < 0) {
    throw new CliUsageError(
      `--failover-timeout must be a number of seconds >= 0, got "${values['failover-timeout']}"`,
    );
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliUsageError(
      `--port must be an integer 0-65535, got "${values.port}"`,
    );
  }
  if (values['state-dir']?.trim() === '') {
    throw new CliUsageError('--state-dir must not be empty');
  }
  if (values.cmd.trim() === '') {
    throw new CliUsageError('--cmd must not be empty');
  }

  return {
    kind: 'run',
    options: {
      master,
      tasks: positiveNumber('tasks', values.tasks, true),
      cmd: values.cmd,
      cpus: positiveNumber('cpus', values.cpus),
      mem: positiveNumber('mem', values.mem),
      name: values.name,
      // The master requires FrameworkInfo.user; the C++ driver fills in the current user the same way.
      user: values.user ?? userInfo().username,
      failoverTimeout,
      frameworkId: values['framework-id'],
      stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR,
      ip: values.ip,
      port,
      advertiseIp: values['advertise-ip'],
      principal: values.principal,
      secretFile: values['secret-file'],
      verbose: values.verbose,
    },
  };
}
