import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Upid } from '../../lib/index.js';
import type { EchoProcess, ReportEvent } from '../../peer/echo.process.js';
import { LinkerProcess, type LinkEvent } from '../../peer/linker.process.js';
import type { NameScheme } from '../../peer/name-schemes.js';
import { startPeerApp, type PeerApp } from '../../peer/peer-app.js';
import { parsePeerArgs } from '../../peer/peer-args.js';
import { runPingpong, runSend, runServe } from '../../peer/peer-modes.js';
import type { ReportLine } from '../../peer/peer-report.js';
import { closedLoopbackPort } from '../support/ports.js';
import { encodeValueMessage } from '../support/value-message.js';
import type { PeerServer, ReferencePeer } from '../support/reference-peers.js';
import { STARTUP_TIMEOUT_MS } from '../support/spawned-process.js';
import { startTsPeer } from '../support/ts-peer-cli.js';
import { waitFor } from '../support/wait-for.js';

const LOCAL = { ip: '127.0.0.1', port: 0, verbose: false };

/**
 * How long one awaited event (a link's `linked` or `exited`, a client's line or exit) may
 * take before it counts as a hang. Every wait ends with its event; this only turns a hang
 * into a failure, so it is generous for a loaded machine rather than a measure of speed.
 */
const EVENT_TIMEOUT_MS = 30_000;

/** Runs a TS client mode in this process, from a CLI command line, and returns its one line. */
export async function tsClient(
  argv: string[],
): Promise<{ line: ReportLine; code: number }> {
  const options = parsePeerArgs(argv);
  const lines: ReportLine[] = [];
  const emit = (line: ReportLine) => lines.push(line);
  let code: number;
  if (options !== 'help' && options.mode === 'send') {
    code = await runSend(options, emit);
  } else if (options !== 'help' && options.mode === 'pingpong') {
    code = await runPingpong(options, emit);
  } else {
    throw new Error(`tsClient runs send or pingpong, not ${argv.join(' ')}`);
  }
  expect(lines).toHaveLength(1);
  return { line: lines[0], code };
}

/** An in-process TS `serve` node, with every answered report recorded. */
export async function startTsServer(): Promise<{
  peer: PeerApp<EchoProcess>;
  reports: ReportEvent[];
}> {
  const reports: ReportEvent[] = [];
  const peer = await runServe(
    { mode: 'serve', name: 'echo', ...LOCAL },
    () => undefined,
  );
  peer.process.onReport = (report) => reports.push(report);
  return { peer, reports };
}

/** The TS peer CLI `serve` as a child process (to be killed with SIGKILL). */
export async function startTsServerProcess(
  extraArgs: string[] = [],
): Promise<PeerServer> {
  const child = startTsPeer(['serve', '--port', '0', ...extraArgs]);
  return {
    pid: await child.stdout.next(STARTUP_TIMEOUT_MS),
    process: child,
  };
}

/** Random printable ASCII (valid as a protobuf string, and unlike 'xxx...' it shows reordering). */
function randomText(bytes: number): Buffer {
  return Buffer.from(randomBytes(bytes).map((b) => 0x21 + (b % 94)));
}

/** A TS linker in this process, recording every link event. */
async function startTsLinker(): Promise<{
  peer: PeerApp<LinkerProcess>;
  events: LinkEvent[];
}> {
  const events: LinkEvent[] = [];
  const peer = await startPeerApp(LinkerProcess, 'linker', LOCAL);
  peer.process.onEvent = (event) => events.push(event);
  return { peer, events };
}

const exitedCount = (events: LinkEvent[]) =>
  events.filter((e) => e.event === 'exited').length;

/**
 * Links to another port where nothing listens and waits for that exit: the barrier after which
 * "the first link's exited fired once" is a fact, not a guess made after a sleep.
 */
async function expectAnotherExit(
  linker: PeerApp<LinkerProcess>,
  events: LinkEvent[],
): Promise<void> {
  const before = exitedCount(events);
  const other = Upid.parse(`other@127.0.0.1:${await closedLoopbackPort()}`);
  linker.process.link(other);
  await waitFor(
    () => events.some((e) => e.event === 'exited' && `${e.pid}` === `${other}`),
    EVENT_TIMEOUT_MS,
    'the second link to exit',
  );
  expect(exitedCount(events)).toBe(before + 1);
}

/**
 * Registers, for one reference peer, every scenario of the interop matrix in both directions:
 * TS client -> peer server and peer client -> TS server.
 */
export function registerInteropScenarios(peer: ReferencePeer): void {
  /** The scheme the peer's server answers and its client sends by default. */
  const scheme: NameScheme = peer.speaksPlainNames ? 'plain' : 'mesosgo';
  /**
   * Every scheme the peer speaks. The full 20,000-message burst runs in its default scheme;
   * the mesos-go names of the C++ and compactor peers get a shorter one (same code path on
   * the TS side as with mesos-go, which runs 20,000 of them).
   */
  const schemes: Array<{ names: NameScheme; n: number }> = peer.speaksPlainNames
    ? [
        { names: 'plain', n: 20000 },
        { names: 'mesosgo', n: 2000 },
      ]
    : [{ names: 'mesosgo', n: 20000 }];

  describe(`TS client -> ${peer.kind} server`, () => {
    let server: PeerServer;
    let ts: Awaited<ReturnType<typeof startTsServer>>;

    beforeAll(async () => {
      server = await peer.serve();
      ts = await startTsServer();
    }, 2 * STARTUP_TIMEOUT_MS);
    afterAll(async () => {
      await server?.process.stop();
      await ts?.peer.close();
    });

    for (const { names, n } of schemes) {
      it(`send: ${n} messages of 100 bytes (${names} names) are all counted`, async () => {
        const { line, code } = await tsClient([
          'send',
          '--to',
          server.pid,
          '--n',
          `${n}`,
          '--size',
          '100',
          '--names',
          names,
        ]);
        expect(line).toMatchObject({
          peer: 'ts',
          mode: 'send',
          to: server.pid,
          names,
          n,
          server_count: n,
        });
        expect(code).toBe(0);
      }, 90_000);

      it(`pingpong: 500 round trips (${names} names)`, async () => {
        const { line, code } = await tsClient([
          'pingpong',
          '--to',
          server.pid,
          '--n',
          '500',
          '--warmup',
          '20',
          '--names',
          names,
        ]);
        expect(line).toMatchObject({
          peer: 'ts',
          mode: 'pingpong',
          n: 500,
          warmup: 20,
          names,
        });
        const { p50_us, p90_us, p99_us, max_us } = line as Record<
          string,
          number
        >;
        expect([p50_us, p90_us, p99_us, max_us]).toEqual(
          [p50_us, p90_us, p99_us, max_us].sort((a, b) => a - b),
        );
        expect(code).toBe(0);
      }, 60_000);
    }

    it('64 KiB bodies: 200 counted, and a 64 KiB ping comes back byte for byte', async () => {
      const { line, code } = await tsClient([
        'send',
        '--to',
        server.pid,
        '--n',
        '200',
        '--size',
        '65536',
        '--names',
        scheme,
      ]);
      expect(line).toMatchObject({ size: 65536, server_count: 200 });
      expect(code).toBe(0);

      const payload = randomText(65536);
      const mesosgo = scheme === 'mesosgo';
      const body = mesosgo ? encodeValueMessage(payload) : payload;
      const reply = await ts.peer.actors.ask(
        server.pid,
        mesosgo ? 'mesos.internal.FrameworkID' : 'ping',
        body,
        {
          reply: mesosgo ? 'mesos.internal.OfferID' : 'pong',
          timeoutMs: 10_000,
        },
      );
      expect(reply.from.toString()).toBe(server.pid);
      expect(reply.body.equals(body)).toBe(true);
    }, 60_000);
  });

  describe(`${peer.kind} client -> TS server`, () => {
    let ts: Awaited<ReturnType<typeof startTsServer>>;

    beforeAll(async () => {
      ts = await startTsServer();
    });
    afterAll(() => ts?.peer.close());

    for (const { names, n } of schemes) {
      const viaProtobuf =
        names === 'mesosgo' ? ', decoded by @ProtobufMailbox handlers' : '';
      it(`send: ${n} messages of 100 bytes (${names} names) are all counted${viaProtobuf}`, async () => {
        const { result, code } = await peer.run(
          'send',
          { to: ts.peer.pid, n, size: 100, names, timeoutSeconds: 60 },
          90_000,
        );
        expect(result).toMatchObject({ n, server_count: n });
        expect(code).toBe(0);
        expect(ts.reports).toContainEqual({
          from: result.from,
          count: n,
          scheme: names,
        });
      }, 90_000);

      it(`pingpong: 500 round trips (${names} names)`, async () => {
        const { result, code } = await peer.run('pingpong', {
          to: ts.peer.pid,
          n: 500,
          warmup: 20,
          names,
          timeoutSeconds: 30,
        });
        expect(result).toMatchObject({ mode: 'pingpong', n: 500 });
        expect(code).toBe(0);
      }, 60_000);
    }

    it('64 KiB bodies: 200 counted, and 64 KiB pings echoed', async () => {
      const send = await peer.run('send', {
        to: ts.peer.pid,
        n: 200,
        size: 65536,
        timeoutSeconds: 60,
      });
      expect(send.result).toMatchObject({ size: 65536, server_count: 200 });
      expect(send.code).toBe(0);
      expect(ts.reports).toContainEqual({
        from: send.result.from,
        count: 200,
        scheme,
      });
      const pingpong = await peer.run('pingpong', {
        to: ts.peer.pid,
        n: 20,
        warmup: 0,
        size: 65536,
        timeoutSeconds: 30,
      });
      expect(pingpong.result).toMatchObject({ size: 65536, n: 20 });
      expect(pingpong.code).toBe(0);
    }, 60_000);
  });

  describe('link', () => {
    it(
      `TS linker -> ${peer.kind} server killed with SIGKILL: exited fires once`,
      async () => {
        const server = await peer.serve();
        const { peer: linker, events } = await startTsLinker();
        try {
          linker.process.link(Upid.parse(server.pid));
          await waitFor(
            () => events.some((e) => e.event === 'linked'),
            EVENT_TIMEOUT_MS,
            'linked',
          );
          expect(exitedCount(events)).toBe(0);
          await server.process.stop();
          await waitFor(
            () => exitedCount(events) > 0,
            EVENT_TIMEOUT_MS,
            'exited',
          );
          // A second link whose exit is awaited: a repeated exited of the first link (from the
          // socket's error and close both reporting) would have been delivered by then.
          await expectAnotherExit(linker, events);
          expect(events.filter((e) => e.event === 'exited')).toEqual([
            { event: 'exited', pid: Upid.parse(server.pid) },
            { event: 'exited', pid: expect.anything() },
          ]);
        } finally {
          await server.process.stop();
          await linker.close();
        }
      },
      STARTUP_TIMEOUT_MS + 4 * EVENT_TIMEOUT_MS,
    );

    it(
      'TS linker -> a port with nothing listening: exited fires once',
      async () => {
        const target = Upid.parse(
          `echo@127.0.0.1:${await closedLoopbackPort()}`,
        );
        const { peer: linker, events } = await startTsLinker();
        try {
          linker.process.link(target);
          await waitFor(
            () => exitedCount(events) > 0,
            EVENT_TIMEOUT_MS,
            'exited',
          );
          await expectAnotherExit(linker, events);
          expect(events.filter((e) => e.event === 'exited')).toEqual([
            { event: 'exited', pid: target },
            { event: 'exited', pid: expect.anything() },
          ]);
        } finally {
          await linker.close();
        }
      },
      3 * EVENT_TIMEOUT_MS,
    );

    it(
      `${peer.kind} linker -> TS server process killed with SIGKILL: exited`,
      async () => {
        const server = await startTsServerProcess();
        const client = peer.client('link', {
          to: server.pid,
          timeoutSeconds: 30,
        });
        try {
          // The client's first line comes once it started (Python, Go or C++) and linked.
          expect(
            await client.stdout.nextJson(STARTUP_TIMEOUT_MS),
          ).toMatchObject({
            event: 'linked',
            to: server.pid,
          });
          await server.process.stop();
          expect(await client.stdout.nextJson(EVENT_TIMEOUT_MS)).toMatchObject({
            event: 'exited',
            pid: server.pid,
          });
          expect((await client.waitForExit(EVENT_TIMEOUT_MS)).code).toBe(0);
        } finally {
          await client.stop();
          await server.process.stop();
        }
      },
      2 * STARTUP_TIMEOUT_MS + 3 * EVENT_TIMEOUT_MS,
    );

    it(
      `${peer.kind} linker -> a port with nothing listening: exited on the refused connection`,
      async () => {
        const target = `echo@127.0.0.1:${await closedLoopbackPort()}`;
        // The client's own timeout is the bound on "at once": an exited that waited for it
        // would come as {"event": "timeout"} and exit 2, not as this exited line.
        const client = peer.client('link', { to: target, timeoutSeconds: 30 });
        try {
          let line = await client.stdout.nextJson(STARTUP_TIMEOUT_MS);
          // The C++ peer prints "linked" as soon as link() is called, before the connect fails.
          if (line.event === 'linked')
            line = await client.stdout.nextJson(STARTUP_TIMEOUT_MS);
          expect(line).toMatchObject({ event: 'exited', pid: target });
          expect((await client.waitForExit(EVENT_TIMEOUT_MS)).code).toBe(0);
        } finally {
          await client.stop();
        }
      },
      2 * STARTUP_TIMEOUT_MS + 2 * EVENT_TIMEOUT_MS,
    );
  });
}
