import type { Type } from 'protobufjs';

import { toWireResponse } from '../runtime/route-response.js';
import { Upid } from '../wire/upid.js';
import { WireNode } from '../wire/wire-node.js';
import type { WireRequest, WireResponse } from '../wire/wire.interfaces.js';
import {
  describeExpectation,
  type MessageFilter,
  messageMatches,
  type MessageName,
  messageNameOf,
} from './message-matcher.js';
import { realClearTimeout, realSetTimeout } from './real-timers.js';

/**
 * A message a {@link Probe} received.
 *
 * @publicApi
 */
export interface ProbeMessage {
  from: Upid;
  to: Upid;
  name: string;
  body: Buffer;
}

/**
 * What {@link Probe.expectMessage} waits for besides the name.
 *
 * @publicApi
 */
export interface ExpectMessageOptions {
  /** The sender (a pid, or a process id alone); any when omitted. */
  from?: MessageFilter['from'];
  /** Real milliseconds before the expectation fails (default 5000; fake timers do not stop it). */
  timeoutMs?: number;
}

/**
 * Answers an HTTP request to a probe: returns the body as a `@Route()` handler does (JSON
 * unless a string, Buffer or `RouteResponse`); a throw answers 500.
 *
 * @publicApi
 */
export type ProbeRouteHandler = (request: WireRequest) => unknown;

/**
 * Options of a probe.
 *
 * @publicApi
 */
export interface ProbeOptions {
  /** The probe's process id (default `probe`). */
  id?: string;
  /** The IP to listen on (default `127.0.0.1`); the port is always a free one. */
  ip?: string;
  /**
   * HTTP routes of the probe, by path: `'state'` serves `GET|POST /<id>/state` (a master's
   * `/master/state` with id `master`), a path with a leading slash (`'/state'`) is served as
   * is. See {@link Probe.route}.
   */
  routes?: Record<string, ProbeRouteHandler>;
}

/** The same conversion `@ProtobufMailbox` payloads get. */
const TO_OBJECT = { longs: String, enums: String, bytes: Buffer } as const;

interface Waiter {
  name: string;
  filter: MessageFilter;
  resolve(message: ProbeMessage): void;
}

/**
 * A libprocess process for tests that records every message it receives, whatever its name:
 * the stand-in for a master, an agent or a client on the other side of the process under test.
 * It runs on its own wire node on a free loopback port, so what it receives really went
 * through the library's encoder and a socket, as it would from a remote node.
 *
 * `expectMessage()` takes the oldest received message that matches and was not taken by an
 * earlier expectation, or waits for one; a timeout fails with the list of what did arrive.
 *
 * @publicApi
 */
export class Probe {
  private readonly node: WireNode;
  private readonly messages: ProbeMessage[] = [];
  private readonly taken = new WeakSet<ProbeMessage>();
  private readonly waiters = new Set<Waiter>();
  private readonly exits: Upid[] = [];
  private readonly exitWaiters = new Set<{
    pid: string;
    resolve(): void;
  }>();
  private readonly routes = new Map<string, ProbeRouteHandler>();
  private readonly httpRequests: WireRequest[] = [];
  readonly id: string;

  private constructor(options: ProbeOptions) {
    this.id = options.id ?? 'probe';
    for (const [path, handler] of Object.entries(options.routes ?? {})) {
      this.route(path, handler);
    }
    this.node = new WireNode(
      { ip: options.ip ?? '127.0.0.1', port: 0 },
      {
        onMessage: (from, to, name, body) => {
          if (to !== this.id) return false;
          this.receive({ from, to: this.pid, name, body });
          return true;
        },
        onHttpRequest: (request) => this.serve(request),
      },
    );
    this.node.on('exited', (_from, to) => this.exited(to));
    // Failed sends are part of some tests (a peer that went away); they must not throw.
    this.node.on('error', () => undefined);
  }

  /** Starts a probe listening on a free port. */
  static async start(options: ProbeOptions = {}): Promise<Probe> {
    const probe = new Probe(options);
    await probe.node.listen();
    return probe;
  }

  /** The probe's own pid (`probe@127.0.0.1:<port>`). */
  get pid(): Upid {
    return this.node.pid(this.id);
  }

  /** Every HTTP request the probe received (answered or not), in arrival order. */
  get requests(): readonly WireRequest[] {
    return this.httpRequests;
  }

  /**
   * Serves `path` (below `/<id>/`, or as is with a leading slash) with `handler`, replacing
   * what served it: e.g. `probe.route('state', () => ({ leader: ... }))` answers
   * `GET /master/state` for a probe `master`, as a master answers its detectors.
   */
  route(path: string, handler: ProbeRouteHandler): void {
    this.routes.set(
      path.startsWith('/') ? path : `/${this.id}/${path}`,
      handler,
    );
  }

  /** Every message received so far, in arrival order (taken or not). */
  get received(): readonly ProbeMessage[] {
    return this.messages;
  }

  /** Sends a message from the probe, as a remote process would. */
  send(to: Upid | string, name: string, body?: Uint8Array | string): void {
    this.node.send(this.pid, toUpid(to), name, body);
  }

  /** Sends a protobuf message named by its full type name, built from a plain object. */
  sendProto(
    to: Upid | string,
    type: Type,
    object: Record<string, unknown>,
  ): void {
    const body = type.encode(type.fromObject(object)).finish();
    this.send(to, messageNameOf(type), body);
  }

  /**
   * Resolves with the oldest not yet expected message named `name` (from `options.from`),
   * waiting for it if it has not arrived; rejects after `timeoutMs` with what did arrive.
   */
  expectMessage(
    name: MessageName,
    options: ExpectMessageOptions = {},
  ): Promise<ProbeMessage> {
    const wanted = messageNameOf(name);
    const filter: MessageFilter = { from: options.from };
    const arrived = this.messages.find(
      (m) => !this.taken.has(m) && messageMatches(m, wanted, filter),
    );
    if (arrived) {
      this.taken.add(arrived);
      return Promise.resolve(arrived);
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<ProbeMessage>((resolve, reject) => {
      const waiter: Waiter = {
        name: wanted,
        filter,
        resolve: (message) => {
          realClearTimeout(timer);
          resolve(message);
        },
      };
      const timer = realSetTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `${this.pid} expected ${describeExpectation(wanted, filter)} within ${timeoutMs} ms; ` +
              `received ${this.describeReceived()}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * {@link expectMessage} for a protobuf message: resolves with the message and its body
   * decoded as `@ProtobufMailbox` handlers get it (longs and enums as strings, bytes as Buffer).
   */
  async expectProtobuf<T = Record<string, any>>(
    type: Type,
    options: ExpectMessageOptions = {},
  ): Promise<ProbeMessage & { object: T }> {
    const message = await this.expectMessage(type, options);
    const object = type.toObject(type.decode(message.body), TO_OBJECT) as T;
    return { ...message, object };
  }

  /** Links the probe to `to`: {@link expectExited} then resolves when `to` goes away. */
  link(to: Upid | string): void {
    this.node.link(this.pid, toUpid(to));
  }

  /** Resolves once a process the probe linked to has exited (its connection closed or failed). */
  expectExited(
    pid: Upid | string,
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    const wanted = `${pid}`;
    if (this.exits.some((exit) => `${exit}` === wanted))
      return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        pid: wanted,
        resolve: () => {
          realClearTimeout(timer);
          resolve();
        },
      };
      const timer = realSetTimeout(() => {
        this.exitWaiters.delete(waiter);
        reject(
          new Error(
            `${this.pid}: ${wanted} did not exit within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.exitWaiters.add(waiter);
    });
  }

  /** Stops listening and closes the probe's connections. Idempotent. */
  close(): Promise<void> {
    return this.node.close();
  }

  private async serve(request: WireRequest): Promise<WireResponse | undefined> {
    this.httpRequests.push(request);
    const query = request.path.indexOf('?');
    const path = query < 0 ? request.path : request.path.slice(0, query);
    const handler = this.routes.get(path);
    if (handler === undefined) return undefined;
    try {
      return toWireResponse(await handler(request));
    } catch (error) {
      return {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private receive(message: ProbeMessage): void {
    this.messages.push(message);
    for (const waiter of this.waiters) {
      if (messageMatches(message, waiter.name, waiter.filter)) {
        this.waiters.delete(waiter);
        this.taken.add(message);
        waiter.resolve(message);
        return;
      }
    }
  }

  private exited(pid: Upid): void {
    this.exits.push(pid);
    for (const waiter of this.exitWaiters) {
      if (waiter.pid === `${pid}`) {
        this.exitWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private describeReceived(): string {
    if (this.messages.length === 0) return 'nothing';
    return this.messages
      .slice(-10)
      .map(
        (m) =>
          `"${m.name}" from ${m.from}${this.taken.has(m) ? ' (taken)' : ''}`,
      )
      .join(', ');
  }
}

function toUpid(pid: Upid | string): Upid {
  return typeof pid === 'string' ? Upid.parse(pid) : pid;
}
