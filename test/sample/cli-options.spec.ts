import { describe, expect, it } from '@jest/globals';
import {
  CliUsageError,
  DEFAULT_STATE_DIR,
  parseCliArgs,
} from '../../sample/cli/cli-options.js';

describe('parseCliArgs', () => {
  it('defaults to the embedded simulator and 3 x "echo hello"', () => {
    const command = parseCliArgs([]);
    expect(command).toMatchObject({
      kind: 'run',
      options: {
        master: 'local',
        tasks: 3,
        cmd: 'echo hello',
        cpus: 0.1,
        mem: 32,
        failoverTimeout: 60,
        port: 0,
        stateDir: DEFAULT_STATE_DIR,
      },
    });
  });

  it('reads every flag', () => {
    const command = parseCliArgs([
      '--master',
      '10.0.0.5:5050',
      '--tasks',
      '5',
      '--cmd',
      'sleep 1',
      '--cpus',
      '0.5',
      '--mem',
      '64',
      '--failover-timeout',
      '0',
      '--framework-id',
      'abc-0001',
      '--state-dir',
      '/var/lib/sample',
      '--ip',
      '0.0.0.0',
      '--port',
      '5055',
      '--advertise-ip',
      '10.0.0.9',
      '--user',
      'nobody',
      '--name',
      'demo',
      '--principal',
      'fw',
      '--secret-file',
      '/etc/fw.secret',
      '--verbose',
    ]);
    expect(command).toEqual({
      kind: 'run',
      options: {
        master: '10.0.0.5:5050',
        tasks: 5,
        cmd: 'sleep 1',
        cpus: 0.5,
        mem: 64,
        failoverTimeout: 0,
        frameworkId: 'abc-0001',
        stateDir: '/var/lib/sample',
        ip: '0.0.0.0',
        port: 5055,
        advertiseIp: '10.0.0.9',
        user: 'nobody',
        name: 'demo',
        principal: 'fw',
        secretFile: '/etc/fw.secret',
        verbose: true,
      },
    });
  });

  it.each([
    'master@10.0.0.5:5050',
    'zk://10.0.0.1:2181/mesos',
    'zk://user:pass@h1:2181,h2:2181,h3:2181/mesos',
    'file:///etc/mesos/zk',
  ])('accepts --master %s', (master) => {
    expect(parseCliArgs(['--master', master])).toMatchObject({
      options: { master },
    });
  });

  it('returns help for --help and -h', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['-h', '--tasks', 'x'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--tasks', '0'], '--tasks must be a positive integer, got "0"'],
    [['--tasks', '1.5'], '--tasks must be a positive integer, got "1.5"'],
    [['--cpus=-1'], '--cpus must be a positive number, got "-1"'],
    [['--mem', ''], '--mem must be a positive number, got ""'],
    [
      ['--master', 'nowhere'],
      '--master must be "local", host:port, zk://host:port[,...]/path or file:///path, got "nowhere"',
    ],
    [
      ['--master', 'zk://h1/mesos'],
      '--master must be "local", host:port, zk://host:port[,...]/path or file:///path, got "zk://h1/mesos"',
    ],
    [['--principal', 'fw'], '--principal and --secret-file go together'],
    [['--port', '70000'], '--port must be an integer 0-65535, got "70000"'],
    [
      ['--failover-timeout=-2'],
      '--failover-timeout must be a number of seconds >= 0, got "-2"',
    ],
    [['--cmd', ' '], '--cmd must not be empty'],
    [['--state-dir', ''], '--state-dir must not be empty'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(new CliUsageError(message));
  });

  it('rejects unknown flags and positionals', () => {
    expect(() => parseCliArgs(['--taks', '3'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['extra'])).toThrow(CliUsageError);
  });
});
