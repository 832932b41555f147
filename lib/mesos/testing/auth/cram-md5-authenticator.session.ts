import { Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  LibprocessContext,
  OnExited,
  OnInitialize,
  Process,
  ProtobufMailbox,
  type ActorRef,
  type Upid,
} from '../../../index.js';
import { SimulatorMessage } from '../simulator.constants.js';
import { CRAM_MD5, cramMd5Challenge, verifyCramMd5 } from './cram-md5.js';

/** How a session ended: the principal, `null` for bad credentials, or an error. */
export type AuthenticationOutcome =
  { principal: string } | { principal: null } | { error: string };

type Status = 'starting' | 'stepping' | 'done';

/**
 * One CRAM-MD5 authentication, as `CRAMMD5AuthenticatorSessionProcess`
 * (src/authentication/cram_md5/authenticator.cpp): spawned by the master for an
 * `AuthenticateMessage`, it links to the authenticatee, sends the mechanisms, answers
 * `AuthenticationStartMessage` with the challenge, checks the `AuthenticationStepMessage`
 * response (HMAC-MD5, node:crypto) and ends with Completed, Failed (unknown principal or wrong
 * secret) or Error (protocol violation). Messages in the wrong order get an error, as from
 * Cyrus SASL.
 */
@Process('crammd5-authenticator-session')
export class CramMd5AuthenticatorSession {
  private readonly logger = new Logger('CramMd5Authenticator');
  private self!: Upid;
  private status: Status = 'starting';
  private challenge = '';

  constructor(
    private readonly actors: ActorRef,
    /** The authenticatee process (the sender of AuthenticateMessage). */
    readonly authenticatee: Upid,
    private readonly credentials: ReadonlyMap<string, string>,
    private readonly hostname: string,
    private readonly finished: (outcome: AuthenticationOutcome) => void,
  ) {}

  @OnInitialize()
  initialize(self: Upid): void {
    this.self = self;
    this.actors.link(this.authenticatee, { from: self });
    this.send(SimulatorMessage.AuthenticationMechanisms, {
      mechanisms: [CRAM_MD5],
    });
  }

  @ProtobufMailbox(SimulatorMessage.AuthenticationStart)
  start(
    @Payload() message: { mechanism: string; data?: Buffer },
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.authenticatee)) return;
    if (this.status !== 'starting') {
      return this.fail("Unexpected authentication 'start' received");
    }
    if (message.mechanism !== CRAM_MD5) {
      return this.fail(
        `SASL(-4): no mechanism available: No worthy mechs found (requested ${message.mechanism})`,
      );
    }
    this.challenge = cramMd5Challenge(this.hostname);
    this.status = 'stepping';
    this.send(SimulatorMessage.AuthenticationStep, {
      data: Buffer.from(this.challenge),
    });
  }

  @ProtobufMailbox(SimulatorMessage.AuthenticationStep)
  step(
    @Payload() message: { data: Buffer },
    @Ctx() ctx: LibprocessContext,
  ): void {
    if (!ctx.from.equals(this.authenticatee)) return;
    if (this.status !== 'stepping') {
      return this.fail("Unexpected authentication 'step' received");
    }
    const verdict = verifyCramMd5(
      message.data ?? Buffer.alloc(0),
      this.challenge,
      this.credentials,
    );
    switch (verdict.result) {
      case 'ok':
        this.send(SimulatorMessage.AuthenticationCompleted, {});
        this.end({ principal: verdict.principal });
        break;
      case 'nouser':
      case 'badauth':
        this.logger.warn(
          `Authentication failure of '${verdict.principal}': ${verdict.result === 'nouser' ? 'SASL(-20): user not found' : 'SASL(-13): authentication failure'}`,
        );
        this.send(SimulatorMessage.AuthenticationFailed, {});
        this.end({ principal: null });
        break;
      default:
        this.fail(verdict.message);
    }
  }

  @OnExited()
  exited(pid: Upid): void {
    if (pid.equals(this.authenticatee) && this.status !== 'done') {
      this.end({ error: 'Failed to communicate with authenticatee' });
    }
  }

  /** The master gave up on this session (authentication timeout or a newer attempt). */
  discard(): void {
    if (this.status !== 'done') this.end({ error: 'Authentication discarded' });
  }

  private fail(error: string): void {
    this.send(SimulatorMessage.AuthenticationError, { error });
    this.end({ error });
  }

  private end(outcome: AuthenticationOutcome): void {
    this.status = 'done';
    this.actors.unlink(this.authenticatee, { from: this.self });
    this.finished(outcome);
    this.actors.terminate(this);
  }

  private send(type: string, message: object): void {
    this.actors.sendProto(this.authenticatee, type, message, {
      from: this.self,
    });
  }
}
