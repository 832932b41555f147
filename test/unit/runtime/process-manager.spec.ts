import { describe, expect, it } from '@jest/globals';

import {
  AskTimeoutError,
  ProcessTerminatedError,
  Upid,
  type WireRequest,
  type WireResponse,
} from '../../../lib/index.js';
import type { ProcessDefinition } from '../../../lib/runtime/process-definition.js';
import { ProcessManager } from '../../../lib/runtime/process-manager.js';
import {
  MemoryTransport,
  nextTurn,
  type Received,
  RecordingLogger,
  recordingProcess,
} from './runtime-test.helpers.js';
import { waitFor } from '../../support/wait-for.js';

const REMOTE = new Upid('peer', '10.0.0.9', 6060);

function runtime(options: { delegate?: string } = {}) {
  const logger = new RecordingLogger();
  const manager = new ProcessManager({ logger, ...options });
  const transport = new MemoryTransport();
  return { manager, transport, logger };
}

function request(path: string, method = 'GET'): WireRequest {
  return { method, path, version: '1.1', headers: {}, body: Buffer.alloc(0) };
}

/** A class with routes `''` and `state`, answering with the path it was called with. */
class StatusProcess {
  served: string[] = [];
  root(request: WireRequest): string {
    this.served.push(`root ${request.path}`);
    return 'root';
  }
  state(request: WireRequest): object {
    this.served.push(`state ${request.path}`);
    return { path: request.path };
  }
}

const STATUS_DEFINITION: ProcessDefinition = {
  className: 'StatusProcess',
  mailboxes: new Map(),
  mailboxList: [],
  routes: new Map([
    ['', { path: '', methodKey: 'root', methods: ['GET'] }],
    ['state', { path: 'state', methodKey: 'state', methods: ['GET'] }],
  ]),
  onInitialize: [],
  onExited: [],
  onLinked: [],
};

describe('ProcessManager', () => {
  it('queues before start, then delivers in order; remote pids go to the transport', async () => {
    const { manager, transport } = runtime();
    const received: Received[] = [];
    const { definition, handlers } = recordingProcess(['hello'], received);
    manager.register('worker', null, definition, handlers);
    const from = new Upid('sender', '127.0.0.1', 5050);
    manager.deliverRemote(from, 'worker', 'hello', Buffer.from('1'));
    manager.start(transport);
    manager.send(from, manager.get('worker')!.pid!, 'hello', '2');
    manager.send(from, REMOTE, 'hello', '3');
    await nextTurn();
    expect(received.map((m) => m.body)).toEqual(['1', '2']);
    expect(received[0].from).toBe('sender@127.0.0.1:5050');
    expect(transport.sent).toEqual([
      { from: String(from), to: String(REMOTE), name: 'hello', body: '3' },
    ]);
  });

  it('runs the next message only after the promise of the previous handler settled', async () => {
    const { manager, transport } = runtime();
    const received: Received[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { definition, handlers } = recordingProcess(
      ['work'],
      received,
      (message) => (message.body === 'first' ? gate : undefined),
    );
    manager.register('serial', null, definition, handlers);
    manager.start(transport);
    manager.deliverRemote(REMOTE, 'serial', 'work', Buffer.from('first'));
    manager.deliverRemote(REMOTE, 'serial', 'work', Buffer.from('second'));
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(received.map((m) => m.body)).toEqual(['first']);
    release();
    await gate;
    await nextTurn();
    expect(received.map((m) => m.body)).toEqual(['first', 'second']);
  });

  it('yields to I/O while processes message each other without end', async () => {
    const { manager, transport } = runtime();
    const received: Received[] = [];
    let pid!: Upid;
    const { definition, handlers } = recordingProcess(['ping'], received, () =>
      manager.send(pid, pid, 'ping', ''),
    );
    pid = manager.register('looper', null, definition, handlers).pid!;
    manager.start(transport);
    pid = manager.get('looper')!.pid!;
    manager.send(pid, pid, 'ping', '');
    // waitFor polls on timers: neither wait would end if the loop kept the event loop to
    // itself. (A single timer may fire before the first turn, so the turns are waited for.)
    await waitFor(() => received.length > 0, 5_000, 'the first pings');
    const seen = received.length;
    await waitFor(() => received.length > seen, 5_000, 'pings after a timer');
    manager.stop();
  });

  it('logs an unknown mailbox at debug level only when enabled', async () => {
    const { manager, transport, logger } = runtime();
    const { definition, handlers } = recordingProcess(['known'], []);
    manager.register('p', null, definition, handlers);
    manager.start(transport);
    manager.deliverRemote(REMOTE, 'p', 'unknown', Buffer.alloc(0));
    await nextTurn();
    expect(logger.lines).toEqual([]);
    logger.debugEnabled = true;
    manager.deliverRemote(REMOTE, 'p', 'unknown', Buffer.alloc(0));
    await nextTurn();
    // Repeated: rate-limited to one line per mailbox name.
    manager.deliverRemote(REMOTE, 'p', 'unknown', Buffer.alloc(0));
    await nextTurn();
    expect(logger.at('debug')).toEqual([
      'Process "p@127.0.0.1:5050" has no mailbox "unknown"; dropped the message from "peer@10.0.0.9:6060"',
    ]);
  });

  it('dispatch resolves with the result; terminate rejects what is queued and tells local linkers', async () => {
    const { manager, transport } = runtime();
    const exited: string[] = [];
    manager.events.on('exited', (from: Upid, to: Upid) =>
      exited.push(`${from.id} saw ${to.id} exit`),
    );
    const target = { double: (n: number) => n * 2 };
    const record = manager.register('target', target, STATUS_DEFINITION, []);
    const watcher = manager.register('watcher', null, STATUS_DEFINITION, []);
    manager.start(transport);
    await expect(manager.dispatch(record, 'double', [21])).resolves.toBe(42);
    manager.link(watcher, record.pid!);
    const queued = manager.dispatch(record, 'double', [1]);
    manager.terminate(record);
    await expect(queued).rejects.toBeInstanceOf(ProcessTerminatedError);
    await expect(
      manager.dispatch(record, 'double', [1]),
    ).rejects.toBeInstanceOf(ProcessTerminatedError);
    expect(exited).toEqual(['watcher saw target exit']);
    expect(manager.get('target')).toBeUndefined();
  });

  it('answers ask() from a temporary process that is gone afterwards', async () => {
    const { manager, transport } = runtime();
    const { definition, handlers } = recordingProcess(
      ['ping'],
      [],
      () => undefined,
    );
    const echo = manager.register('echo', null, definition, [
      {
        needsContext: true,
        invoke: (_payload, context) =>
          manager.send(
            echo.pid!,
            (context as { from: Upid }).from,
            'pong',
            'hi',
          ),
      },
    ]);
    void handlers;
    manager.start(transport);
    const reply = await manager.ask(null, echo.pid!, 'ping', '', 'pong', 1000);
    expect(reply.body.toString()).toBe('hi');
    expect(reply.from.id).toBe('echo');
    expect([...manager.records()].map((r) => r.id)).toEqual(['echo']);
    await expect(
      manager.ask(null, REMOTE, 'ping', '', 'pong', 10),
    ).rejects.toBeInstanceOf(AskTimeoutError);
    expect([...manager.records()].map((r) => r.id)).toEqual(['echo']);
  });

  it('retains the hold of a queued wire message until it runs or is dropped, not an ask reply', async () => {
    const { manager, transport } = runtime();
    const received: Received[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { definition, handlers } = recordingProcess(['m'], received, (m) =>
      m.body === 'first' ? gate : undefined,
    );
    const record = manager.register('p', null, definition, handlers);
    manager.start(transport);
    let held = 0;
    const hold = { retain: () => void held++, release: () => void held-- };
    for (const body of ['first', 'second', 'third']) {
      manager.deliverRemote(REMOTE, 'p', 'm', Buffer.from(body), hold);
    }
    expect(held).toBe(3);
    // The first runs (and waits): only what is still queued is held.
    await nextTurn();
    expect(held).toBe(2);
    // A reply to a pending ask() never queues.
    const ask = manager.ask(record, REMOTE, 'ping', '', 'pong', 60_000);
    manager.deliverRemote(REMOTE, 'p', 'pong', Buffer.from('reply'), hold);
    await expect(ask).resolves.toMatchObject({ from: REMOTE });
    expect(held).toBe(2);
    // Dropped with the process: released too.
    manager.terminate(record);
    expect(held).toBe(0);
    release();
    expect(received.map((m) => m.body)).toEqual(['first']);
  });

  it('stop() drops what is queued, logs how much, and rejects pending asks', async () => {
    const { manager, transport, logger } = runtime();
    const received: Received[] = [];
    const { definition, handlers } = recordingProcess(['m'], received);
    const record = manager.register('p', null, definition, handlers);
    manager.start(transport);
    const ask = manager.ask(record, REMOTE, 'ping', '', 'pong', 60_000);
    for (let i = 0; i < 3; i++) {
      manager.deliverRemote(REMOTE, 'p', 'm', Buffer.alloc(0));
    }
    manager.stop(20);
    await expect(ask).rejects.toBeInstanceOf(ProcessTerminatedError);
    await nextTurn();
    expect(received).toEqual([]);
    expect(logger.at('warn')).toEqual([
      `Dropped 3 queued message(s) that did not run within the shutdown grace period of 20 ms (${record.pid ?? record.id}: 3)`,
    ]);
  });

  describe('routes', () => {
    it('serves /__processes__, a process route on its queue, and 405 for other methods', async () => {
      const { manager, transport } = runtime();
      const instance = new StatusProcess();
      manager.register('status', instance, STATUS_DEFINITION, []);
      manager.start(transport);
      const listing = (await manager.handleHttp(
        request('/__processes__'),
      )) as WireResponse;
      expect(JSON.parse(String(listing.body))).toEqual([
        {
          id: 'status',
          pid: 'status@127.0.0.1:5050',
          mailboxes: [],
          routes: ['', 'state'],
          queueDepth: 0,
          state: 'idle',
          links: [],
        },
      ]);
      const state = (await manager.handleHttp(
        request('/status/state?x=1'),
      )) as WireResponse;
      expect(state.status).toBe(200);
      expect(JSON.parse(String(state.body))).toEqual({
        path: '/status/state?x=1',
      });
      expect(
        await manager.handleHttp(request('/status/state', 'POST')),
      ).toEqual({ status: 405, headers: { allow: 'GET' } });
      expect(await manager.handleHttp(request('/status/nothing'))).toBe(
        undefined,
      );
      expect(await manager.handleHttp(request('/nobody/state'))).toBe(
        undefined,
      );
    });
  });

  describe('delegate', () => {
    it('hands requests for unknown first segments to the delegate, with the path rewritten', async () => {
      const { manager, transport } = runtime({ delegate: 'master' });
      const master = new StatusProcess();
      manager.register('master', master, STATUS_DEFINITION, []);
      const other = new StatusProcess();
      manager.register('other', other, STATUS_DEFINITION, []);
      manager.start(transport);
      const state = (await manager.handleHttp(
        request('/state?jsonp=x'),
      )) as WireResponse;
      expect(JSON.parse(String(state.body))).toEqual({
        path: '/master/state?jsonp=x',
      });
      expect(
        ((await manager.handleHttp(request('/'))) as WireResponse).body,
      ).toBe('root');
      // The delegate's own path and other processes are served as without a delegate.
      await manager.handleHttp(request('/master/state'));
      await manager.handleHttp(request('/other/state'));
      expect(master.served).toEqual([
        'state /master/state?jsonp=x',
        'root /master',
        'state /master/state',
      ]);
      expect(other.served).toEqual(['state /other/state']);
      // A first segment that names a process is not delegated, even without the route.
      expect(await manager.handleHttp(request('/other/missing'))).toBe(
        undefined,
      );
    });

    it('hands messages for unknown processes to the delegate as <id>/<name>', async () => {
      const { manager, transport } = runtime({ delegate: 'master' });
      const received: Received[] = [];
      const { definition, handlers } = recordingProcess(
        ['hello', 'scheduler/hello'],
        received,
      );
      manager.register('master', null, definition, handlers);
      manager.start(transport);
      expect(
        manager.deliverRemote(REMOTE, 'scheduler', 'hello', Buffer.from('1')),
      ).toBe(true);
      manager.send(
        REMOTE,
        new Upid('scheduler', '127.0.0.1', 5050),
        'hello',
        '2',
      );
      expect(
        manager.deliverRemote(REMOTE, 'master', 'hello', Buffer.from('3')),
      ).toBe(true);
      await nextTurn();
      expect(received.map((m) => `${m.name}:${m.body}`)).toEqual([
        'scheduler/hello:1',
        'scheduler/hello:2',
        'hello:3',
      ]);
    });

    it('answers 404 as before when there is no delegate, or it is not a process', async () => {
      for (const options of [{}, { delegate: 'absent' }]) {
        const { manager, transport } = runtime(options);
        manager.start(transport);
        expect(
          manager.deliverRemote(REMOTE, 'nobody', 'hello', Buffer.alloc(0)),
        ).toBe(false);
        expect(await manager.handleHttp(request('/state'))).toBeUndefined();
      }
    });
  });
});
