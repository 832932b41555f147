import { BaseRpcContext } from '@nestjs/microservices';

import type { Upid } from '../wire/upid.js';

type LibprocessContextArgs = [from: Upid, to: Upid, name: string, body: Buffer];

/**
 * The `@Ctx()` of a `@Mailbox()` handler: who sent the message, to which process, under
 * which name, and its raw body.
 *
 * @publicApi
 */
export class LibprocessContext extends BaseRpcContext<LibprocessContextArgs> {
  constructor(args: LibprocessContextArgs) {
    super(args);
  }

  /** The sender's pid (reply to it with `ActorRef.send(ctx.from, ...)`). */
  get from(): Upid {
    return this.args[0];
  }

  /** The pid of the receiving process. */
  get to(): Upid {
    return this.args[1];
  }

  /** The message name. */
  get name(): string {
    return this.args[2];
  }

  /** Returns the sender's pid. */
  getFrom(): Upid {
    return this.args[0];
  }

  /** Returns the pid of the receiving process. */
  getTo(): Upid {
    return this.args[1];
  }

  /** Returns the message name. */
  getName(): string {
    return this.args[2];
  }

  /** Returns the raw body (also for `@ProtobufMailbox()` handlers). */
  getBody(): Buffer {
    return this.args[3];
  }
}
