import type {
  CallHandler,
  ExecutionContext,
  NestInterceptor,
} from '@nestjs/common';
import { finalize, type Observable, of } from 'rxjs';

import { LibprocessContext } from '../ctx-host/libprocess.context.js';
import type { Upid } from '../wire/upid.js';
import { type MessageFilter, messageMatches } from './message-matcher.js';

/**
 * A message delivered to a process of a testing node, as an interception sees it.
 *
 * @publicApi
 */
export interface InterceptedMessage {
  from: Upid;
  to: Upid;
  name: string;
  body: Buffer;
}

/**
 * The handle of `dropMessages()`: what was dropped so far, and a way to stop dropping.
 *
 * @publicApi
 */
export interface MessageDrop {
  readonly dropped: readonly InterceptedMessage[];
  stop(): void;
}

interface Rule {
  name: string;
  filter: MessageFilter;
  /** Drop the message instead of handing it to its handler. */
  drop: boolean;
  /** Applies to the first match only. */
  once: boolean;
  /** Called with each match: after the handler ran when kept, at once when dropped. */
  onMatch(message: InterceptedMessage): void;
  /** Called when the node closes with the rule still waiting. */
  onClose?(error: Error): void;
}

/**
 * The testing node's global interceptor: it sees every message a mailbox of the node is about
 * to handle, on the receiving process' own queue, and lets the test observe it (Mesos'
 * `FUTURE_MESSAGE`) or drop it (`DROP_MESSAGE`, `DROP_MESSAGES`). Being an ordinary Nest
 * interceptor, it only sees messages that reach a mailbox, never those to unknown names.
 */
export class MessageInterceptor implements NestInterceptor {
  private readonly rules = new Set<Rule>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx =
      context.getType() === 'rpc'
        ? context.switchToRpc().getContext()
        : undefined;
    if (!(ctx instanceof LibprocessContext) || this.rules.size === 0) {
      return next.handle();
    }
    const message: InterceptedMessage = {
      from: ctx.from,
      to: ctx.to,
      name: ctx.name,
      body: ctx.getBody(),
    };
    const observers: Rule[] = [];
    let dropped = false;
    for (const rule of this.rules) {
      if (!messageMatches(message, rule.name, rule.filter)) continue;
      if (rule.drop) {
        // One drop is enough; a later drop rule stays armed for the next message.
        if (dropped) continue;
        dropped = true;
      }
      if (rule.once) this.rules.delete(rule);
      if (rule.drop) rule.onMatch(message);
      else observers.push(rule);
    }
    if (dropped) {
      // The handler never runs; observers of a dropped message still learn of it.
      for (const rule of observers) rule.onMatch(message);
      return of(undefined);
    }
    if (observers.length === 0) return next.handle();
    return next
      .handle()
      .pipe(finalize(() => observers.forEach((rule) => rule.onMatch(message))));
  }

  /** Resolves with the next matching message once its handler has run (or it was dropped). */
  future(name: string, filter: MessageFilter): Promise<InterceptedMessage> {
    return settledQuietly((resolve, reject) => {
      this.rules.add({
        name,
        filter,
        drop: false,
        once: true,
        onMatch: resolve,
        onClose: reject,
      });
    });
  }

  /** Drops the next matching message and resolves with it. */
  dropOne(name: string, filter: MessageFilter): Promise<InterceptedMessage> {
    return settledQuietly((resolve, reject) => {
      this.rules.add({
        name,
        filter,
        drop: true,
        once: true,
        onMatch: resolve,
        onClose: reject,
      });
    });
  }

  /** Drops every matching message until `stop()`. */
  dropAll(name: string, filter: MessageFilter): MessageDrop {
    const dropped: InterceptedMessage[] = [];
    const rule: Rule = {
      name,
      filter,
      drop: true,
      once: false,
      onMatch: (message) => dropped.push(message),
    };
    this.rules.add(rule);
    return { dropped, stop: () => this.rules.delete(rule) };
  }

  /** Rejects every expectation still waiting, naming it. */
  close(): void {
    for (const rule of this.rules) {
      rule.onClose?.(
        new Error(
          `the testing node closed before "${rule.name}" was delivered`,
        ),
      );
    }
    this.rules.clear();
  }
}

/**
 * A promise whose rejection at node close is not reported as unhandled when the test never
 * awaited it (it set up an interception that turned out not to matter); awaiting it still throws.
 */
function settledQuietly<T>(
  executor: (
    resolve: (value: T) => void,
    reject: (error: Error) => void,
  ) => void,
): Promise<T> {
  const promise = new Promise<T>(executor);
  promise.catch(() => undefined);
  return promise;
}
