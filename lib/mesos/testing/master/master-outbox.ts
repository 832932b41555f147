import { Logger } from '@nestjs/common';
import type { ActorRef, DelayHandle, Upid } from '../../../index.js';
import { BoundedLog } from '../common/fifo.js';

/** A line of the simulated master's log, kept for tests to assert on ("Refusing ..."). */
export interface MasterLogEntry {
  level: 'info' | 'warn';
  message: string;
  time: number;
}

/**
 * What the master's logic does to the outside world: send a protobuf message from the master's
 * pid, link and unlink, and run one of its own methods later. The Nest process adapter
 * implements it over `ActorRef`; unit tests can record it.
 */
export interface MasterOutbox {
  send(to: Upid, type: string, message: object): void;
  /** A simulator-internal message with a JSON body (to the simulated agents). */
  sendInternal(to: Upid, name: string, body: object): void;
  link(to: Upid): void;
  unlink(to: Upid): void;
  later(ms: number, method: string, ...args: unknown[]): DelayHandle;
}

/**
 * The outbox of the master process at `self`: everything is sent from its pid, and `later`
 * comes back to its `timer` method, on its queue.
 */
export function processOutbox(actors: ActorRef, self: Upid): MasterOutbox {
  return {
    send: (to, type, message) =>
      actors.sendProto(to, type, message, { from: self }),
    sendInternal: (to, name, body) =>
      actors.send(to, name, JSON.stringify(body), { from: self }),
    link: (to) => actors.link(to, { from: self }),
    unlink: (to) => actors.unlink(to, { from: self }),
    later: (ms, method, ...args) =>
      actors.delay(ms, self, 'timer', method, ...args),
  };
}

/** The master's log: Nest's logger plus the latest lines, for tests. */
export class MasterLog {
  private readonly logger = new Logger('MesosMaster');
  readonly entries = new BoundedLog<MasterLogEntry>(5000);

  constructor(private readonly now: () => number) {}

  info(message: string): void {
    this.logger.log(message);
    this.entries.push({ level: 'info', message, time: this.now() });
  }

  warn(message: string): void {
    this.logger.warn(message);
    this.entries.push({ level: 'warn', message, time: this.now() });
  }

  /** Lines that contain `text`. */
  find(text: string): MasterLogEntry[] {
    return this.entries.toArray().filter((e) => e.message.includes(text));
  }
}
