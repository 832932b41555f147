import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closedLoopbackPort } from '../support/ports.js';
import type { PeerServer } from '../support/reference-peers.js';
import { stopAllSpawned } from '../support/spawned-process.js';
import { startTsPeer } from '../support/ts-peer-cli.js';
import { startTsServerProcess } from './interop-scenarios.js';

/** Runs the CLI to completion: its exit code, stdout lines and stderr. */
async function runCli(args: string[], deadlineMs = 30_000) {
  const child = startTsPeer(args);
  const status = await child.waitForExit(deadlineMs);
  return {
    code: status.code,
    lines: [...child.stdout.seen],
    stderr: child.stderr,
  };
}

// The CLI as a separate process, TS client against TS server: output format and exit codes.
// (Against the reference peers, the same modes run in the interop suites.)
describe('TypeScript peer CLI', () => {
  let server: PeerServer;

  beforeAll(async () => {
    server = await startTsServerProcess(['--verbose']);
  }, 60_000);
  afterAll(stopAllSpawned);

  it('serve prints its PID line first', () => {
    expect(server.pid).toMatch(/^echo@127\.0\.0\.1:\d+$/);
  });

  it('send prints one JSON line in the peers format and exits 0', async () => {
    const { code, lines } = await runCli([
      'send',
      '--to',
      server.pid,
      '--n',
      '1000',
      '--size',
      '100',
    ]);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\{"peer": "ts", "mode": "send", "from": "sender@127\.0\.0\.1:\d+", "to": /,
    );
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({
      to: server.pid,
      names: 'plain',
      n: 1000,
      size: 100,
      server_count: 1000,
    });
    expect(Object.keys(result).join(' ')).toBe(
      'peer mode from to names n size server_count seconds msgs_per_sec',
    );
    // serve --verbose prints a line per report it answers
    expect(await server.process.stdout.nextJson(5_000)).toEqual({
      event: 'report',
      from: result.from,
      count: 1000,
      scheme: 'plain',
    });
  });

  it('pingpong prints the latency line and exits 0', async () => {
    const { code, lines } = await runCli([
      'pingpong',
      '--to',
      server.pid,
      '--n',
      '100',
      '--warmup',
      '10',
      '--names',
      'mesosgo',
      '--name',
      'p2',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({
      peer: 'ts',
      mode: 'pingpong',
      names: 'mesosgo',
      n: 100,
      size: 8,
      warmup: 10,
    });
    expect(result.from).toMatch(/^p2@127\.0\.0\.1:\d+$/);
    expect(Object.keys(result).join(' ')).toBe(
      'peer mode from to names n size warmup p50_us p90_us p99_us max_us mean_us',
    );
    expect(result.p50_us).toBeLessThanOrEqual(result.p99_us);
  });

  it('a timeout prints {"error": "timeout"} and exits 2', async () => {
    const to = `echo@127.0.0.1:${await closedLoopbackPort()}`;
    const { code, lines } = await runCli([
      'send',
      '--to',
      to,
      '--n',
      '10',
      '--timeout',
      '500ms',
    ]);
    expect(code).toBe(2);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { peer: 'ts', mode: 'send', error: 'timeout', to },
    ]);
  });

  it.each([
    [['send', '--n', '10'], /--to is required/],
    [['send', '--to', 'not-a-pid'], /--to: .*not-a-pid/],
    [['ping'], /unknown mode "ping"/],
  ])(
    'usage error %j: exit 2, message and usage on stderr',
    async (args, message) => {
      const { code, lines, stderr } = await runCli(args as string[]);
      expect(code).toBe(2);
      expect(lines).toEqual([]);
      expect(stderr).toMatch(message as RegExp);
    },
  );

  it('link prints linked, then exited when the server is killed, and exits 0', async () => {
    const target = await startTsServerProcess(['--name', 'doomed']);
    const linker = startTsPeer(['link', '--to', target.pid, '--timeout', '20']);
    const linked = await linker.stdout.nextJson(15_000);
    expect(linked).toMatchObject({ event: 'linked', to: target.pid });
    expect(linked.from).toMatch(/^linker@127\.0\.0\.1:\d+$/);
    await target.process.stop();
    expect(await linker.stdout.nextJson(10_000)).toMatchObject({
      event: 'exited',
      pid: target.pid,
    });
    expect((await linker.waitForExit(10_000)).code).toBe(0);
  }, 60_000);
});
