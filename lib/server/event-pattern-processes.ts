import type { Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

import { IGNORED_PATTERN, MESSAGE_PATTERN_ONE_WAY } from '../actor.messages.js';
import {
  type MailboxDefinition,
  type MailboxHandler,
  mailboxesOnly,
} from '../runtime/process-definition.js';
import type { ProcessManager } from '../runtime/process-manager.js';
import type { ProcessRecord } from '../runtime/process-record.js';

/** Calls a Nest pattern handler, and the ones chained after it (Nest's fan-out). */
function toHandler(handler: MessageHandler): MailboxHandler {
  return {
    needsContext: true,
    invoke: async (payload, context) => {
      for (
        let next: MessageHandler | undefined = handler;
        next;
        next = next.next
      ) {
        const result = await next(payload, context);
        if (isObservable(result)) {
          await lastValueFrom(result, { defaultValue: undefined });
        }
      }
    },
  };
}

/**
 * Turns the controller handlers Nest registered on the server (`@EventPattern('<id>/<name>')`)
 * into processes `<id>` with mailboxes `<name>`; the controller that declares them is the
 * process' instance when there is exactly one. Each process is pushed to `added` as soon
 * as it exists, so that a caller can remove them all when a later one fails.
 * @throws DuplicateProcessError when an id is already a process
 */
export function registerEventPatternProcesses(
  messageHandlers: ReadonlyMap<string, MessageHandler>,
  processManager: ProcessManager,
  /** The controller instance that is the process `<id>`, if any (see `ActorExplorer`). */
  ownerOf: (id: string) => object | undefined,
  logger: Logger,
  added: ProcessRecord[],
): void {
  const byProcess = new Map<
    string,
    { mailboxes: MailboxDefinition[]; handlers: MailboxHandler[] }
  >();
  for (const [pattern, handler] of messageHandlers) {
    const slash = pattern.indexOf('/');
    if (slash <= 0 || slash === pattern.length - 1) {
      logger.warn(IGNORED_PATTERN(pattern));
      continue;
    }
    if (!handler.isEventHandler) logger.warn(MESSAGE_PATTERN_ONE_WAY());
    const id = pattern.slice(0, slash);
    let process = byProcess.get(id);
    if (process === undefined) {
      process = { mailboxes: [], handlers: [] };
      byProcess.set(id, process);
    }
    process.mailboxes.push({
      index: process.mailboxes.length,
      name: pattern.slice(slash + 1),
      methodKey: pattern,
    });
    process.handlers.push(toHandler(handler));
  }
  for (const [id, { mailboxes, handlers }] of byProcess) {
    added.push(
      processManager.register(
        id,
        ownerOf(id) ?? null,
        mailboxesOnly('@EventPattern', mailboxes),
        handlers,
      ),
    );
  }
}
