import { EventEmitter } from 'node:events';

import { Upid, type WireNodeEvents } from '../../../lib/index.js';
import type {
  MailboxHandler,
  ProcessDefinition,
} from '../../../lib/runtime/process-definition.js';
import { mailboxesOnly } from '../../../lib/runtime/process-definition.js';
import type {
  RuntimeLogger,
  RuntimeTransport,
} from '../../../lib/runtime/runtime.interfaces.js';

/** Address of the in-memory node of these tests. */
export const LOCAL = { ip: '127.0.0.1', port: 5050 };

/** A sent message as the transport saw it. */
export interface SentMessage {
  from: string;
  to: string;
  name: string;
  body: string;
}

/**
 * The wire side of a `ProcessManager` without sockets: pids on 127.0.0.1:5050, remote
 * sends and links recorded, 'linked' / 'exited' / 'error' emitted by the test.
 */
export class MemoryTransport
  extends EventEmitter<WireNodeEvents>
  implements RuntimeTransport
{
  readonly sent: SentMessage[] = [];
  readonly remoteLinks = new Map<string, Upid[]>();
  listening = true;

  get address(): { ip: string; port: number } {
    return LOCAL;
  }

  pid(id: string): Upid {
    return new Upid(id, LOCAL.ip, LOCAL.port);
  }

  send(from: Upid, to: Upid, name: string, body?: Uint8Array | string): void {
    this.sent.push({
      from: String(from),
      to: String(to),
      name,
      body: body === undefined ? '' : Buffer.from(body).toString(),
    });
  }

  link(from: Upid, to: Upid): void {
    const links = this.remoteLinks.get(String(from)) ?? [];
    links.push(to);
    this.remoteLinks.set(String(from), links);
  }

  unlink(from: Upid, to: Upid): void {
    const links = this.remoteLinks.get(String(from)) ?? [];
    this.remoteLinks.set(
      String(from),
      links.filter((link) => !link.equals(to)),
    );
  }

  linksOf(from: Upid): Upid[] {
    return this.remoteLinks.get(String(from)) ?? [];
  }
}

/** Collects the runtime's log lines by level. */
export class RecordingLogger implements RuntimeLogger {
  readonly lines: Array<{ level: string; message: string }> = [];
  debugEnabled = false;

  isDebugEnabled(): boolean {
    return this.debugEnabled;
  }

  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }

  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }

  handlerFailed(message: string, error: unknown): void {
    this.lines.push({
      level: 'error',
      message: `${message}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  at(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

/** A received message, as a handler of `recordingProcess` saw it. */
export interface Received {
  name: string;
  body: string;
  from: string;
}

/**
 * A process definition whose mailboxes push what they receive to `received`; each handler
 * is a plain function (what the Nest layer binds is tested through Nest).
 */
export function recordingProcess(
  names: string[],
  received: Received[],
  onMessage?: (message: Received) => unknown,
): { definition: ProcessDefinition; handlers: MailboxHandler[] } {
  const definition = mailboxesOnly(
    'Recorder',
    names.map((name, index) => ({ index, name, methodKey: name })),
  );
  const handlers = names.map((name): MailboxHandler => ({
    needsContext: true,
    invoke: (payload, context) => {
      const message = {
        name,
        body: (payload as Buffer).toString(),
        from: String((context as { from: Upid }).from),
      };
      received.push(message);
      return onMessage?.(message);
    },
  }));
  return { definition, handlers };
}

/** Resolves after the run loop had a turn (it runs queues on `setImmediate`). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
