import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';

import { LibprocessContext } from '../../ctx-host/libprocess.context.js';
import { Mailbox } from '../../decorators/mailbox.decorator.js';
import { OnInitialize } from '../../decorators/on-initialize.decorator.js';
import type { ActorRef } from '../../services/actor-ref.service.js';
import type { Upid } from '../../wire/upid.js';
import { MesosCodec } from '../mesos.codec.js';
import { MesosMessage } from '../mesos.constants.js';
import type {
  AuthenticationErrorMessage,
  AuthenticationMechanismsMessage,
  AuthenticationStepMessage,
} from '../mesos.types.js';
import { CRAM_MD5, cramMd5Response } from './cram-md5.js';

/** How one authentication attempt ended. */
export type AuthenticationOutcome =
  /** The master accepted the credential: the scheduler pid may subscribe. */
  | { kind: 'completed' }
  /** The master refused the credential (`AuthenticationFailedMessage`). */
  | { kind: 'failed' }
  /** The exchange broke: the master's `AuthenticationErrorMessage` text, or ours. */
  | { kind: 'error'; message: string };

/** A principal and its secret, as given to the driver. */
export interface AuthenticateeCredential {
  principal: string;
  secret: Buffer;
}

/**
 * The client side of Mesos' CRAM-MD5 exchange (src/authentication/cram_md5/authenticatee.cpp), as
 * a libprocess process of its own (`crammd5-authenticatee(N)`), spawned for one attempt:
 *
 * `AuthenticateMessage{pid}` to the master -> `AuthenticationMechanismsMessage` from the
 * authenticator it starts -> `AuthenticationStartMessage{CRAM-MD5}` -> a challenge in an
 * `AuthenticationStepMessage` -> our response step -> `AuthenticationCompletedMessage`,
 * `...FailedMessage` or `...ErrorMessage`. Replies go to the authenticator (the sender), not the master.
 */
export class AuthenticateeProcess {
  private readonly logger = new Logger('Authenticatee');
  private status: 'ready' | 'starting' | 'stepping' | 'done' = 'ready';

  constructor(
    private readonly actors: ActorRef,
    private readonly master: Upid,
    /** The pid being authenticated: the scheduler's. */
    private readonly client: Upid,
    private readonly credential: AuthenticateeCredential,
    private readonly settle: (outcome: AuthenticationOutcome) => void,
  ) {}

  @OnInitialize()
  start(self: Upid): void {
    this.status = 'starting';
    this.actors.send(
      this.master,
      MesosMessage.Authenticate,
      Buffer.from(
        MesosCodec.encode(MesosMessage.Authenticate, {
          pid: this.client.toString(),
        }),
      ),
      { from: self },
    );
  }

  @Mailbox(MesosMessage.AuthenticationMechanisms)
  mechanisms(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (this.status !== 'starting') {
      return this.finish({
        kind: 'error',
        message: "Unexpected authentication 'mechanisms' received",
      });
    }
    const { mechanisms = [] } = this.decode<AuthenticationMechanismsMessage>(
      MesosMessage.AuthenticationMechanisms,
      body,
    ) ?? { mechanisms: [] };
    if (!mechanisms.includes(CRAM_MD5)) {
      return this.finish({
        kind: 'error',
        message: `The master offers no ${CRAM_MD5} (mechanisms: ${mechanisms.join(', ') || 'none'})`,
      });
    }
    this.status = 'stepping';
    this.reply(ctx, MesosMessage.AuthenticationStart, {
      mechanism: CRAM_MD5,
      data: Buffer.alloc(0),
    });
  }

  @Mailbox(MesosMessage.AuthenticationStep)
  step(@Payload() body: Buffer, @Ctx() ctx: LibprocessContext): void {
    if (this.status !== 'stepping') {
      return this.finish({
        kind: 'error',
        message: "Unexpected authentication 'step' received",
      });
    }
    const message = this.decode<AuthenticationStepMessage>(
      MesosMessage.AuthenticationStep,
      body,
    );
    if (!message) return;
    const { principal, secret } = this.credential;
    this.reply(ctx, MesosMessage.AuthenticationStep, {
      data: cramMd5Response(principal, secret, message.data),
    });
  }

  @Mailbox(MesosMessage.AuthenticationCompleted)
  completed(): void {
    if (this.status !== 'stepping') {
      return this.finish({
        kind: 'error',
        message: "Unexpected authentication 'completed' received",
      });
    }
    this.finish({ kind: 'completed' });
  }

  @Mailbox(MesosMessage.AuthenticationFailed)
  failed(): void {
    this.finish({ kind: 'failed' });
  }

  @Mailbox(MesosMessage.AuthenticationError)
  error(@Payload() body: Buffer): void {
    const message = this.decode<AuthenticationErrorMessage>(
      MesosMessage.AuthenticationError,
      body,
    );
    this.finish({
      kind: 'error',
      message: `Authentication error: ${message?.error ?? ''}`,
    });
  }

  private reply(ctx: LibprocessContext, name: string, message: object): void {
    this.actors.send(
      ctx.from,
      name,
      Buffer.from(MesosCodec.encode(name, message)),
      {
        from: ctx.to,
      },
    );
  }

  private decode<T>(name: string, body: Buffer): T | undefined {
    try {
      return MesosCodec.decode<T>(name, body);
    } catch (error) {
      this.finish({
        kind: 'error',
        message: `Malformed ${name}: ${(error as Error).message}`,
      });
      return undefined;
    }
  }

  private finish(outcome: AuthenticationOutcome): void {
    if (this.status === 'done') return;
    this.status = 'done';
    if (outcome.kind === 'error') this.logger.debug(outcome.message);
    this.settle(outcome);
  }
}
