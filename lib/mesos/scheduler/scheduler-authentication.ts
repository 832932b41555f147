import { Logger } from '@nestjs/common';

import type { DelayHandle } from '../../interfaces/actor-ref-options.interface.js';
import type { ActorRef } from '../../services/actor-ref.service.js';
import type { Upid } from '../../wire/upid.js';
import {
  type AuthenticateeCredential,
  type AuthenticationOutcome,
  AuthenticateeProcess,
} from '../authentication/authenticatee.process.js';
import {
  AUTHENTICATION_BACKOFF_FACTOR_MS,
  AUTHENTICATION_TIMEOUT_MAX_MS,
  AUTHENTICATION_TIMEOUT_MIN_MS,
} from './scheduler.constants.js';
import type { SchedulerProcess } from './scheduler.process.js';

/** The first authentication timeout range: [min, min + factor * 2] (sched.cpp). */
const INITIAL_AUTHENTICATION_MAX_MS = Math.min(
  AUTHENTICATION_TIMEOUT_MIN_MS + AUTHENTICATION_BACKOFF_FACTOR_MS * 2,
  AUTHENTICATION_TIMEOUT_MAX_MS,
);

/**
 * sched.cpp's `authenticate()` and `_authenticate()`: with a credential, the driver
 * authenticates with each newly detected master before it subscribes. One attempt at a time
 * (an {@link AuthenticateeProcess}), with a random timeout in a range that grows at each
 * failure; only a refused credential is fatal.
 * A part of {@link SchedulerProcess}: the attempt's end and the timers come back through its
 * `authenticated`, `authenticationTimedOut` and `authenticateAgain` methods, on its queue.
 *
 * @internal
 */
export class SchedulerAuthentication {
  private readonly logger = new Logger('SchedulerDriver');
  /** The leading master accepted the credential. */
  authenticated = false;
  private attempt?: { pid: Upid; timer: DelayHandle };
  private retry?: DelayHandle;
  private maxMs = INITIAL_AUTHENTICATION_MAX_MS;

  constructor(
    private readonly p: SchedulerProcess,
    private readonly actors: ActorRef,
    private readonly credential: AuthenticateeCredential,
  ) {}

  /** A new master: authenticate from the first range again, as sched.cpp's `detected()`. */
  start(): void {
    this.authenticated = false;
    this.maxMs = INITIAL_AUTHENTICATION_MAX_MS;
    this.authenticate();
  }

  /** An attempt's outcome, back on the queue (ignored when the attempt was dropped meanwhile). */
  finished(
    outcome: AuthenticationOutcome,
    process: AuthenticateeProcess,
  ): void {
    const attempt = this.attempt;
    if (
      !this.p.running ||
      !attempt ||
      this.actors.self(process).toString() !== attempt.pid.toString()
    ) {
      return;
    }
    this.drop();
    // As sched.cpp's `_authenticate()`: only a refusal of the credential is fatal.
    if (outcome.kind === 'failed') {
      this.p.error(
        `Master ${this.p.masterPid} refused authentication of principal '${this.credential.principal}'`,
      );
      return;
    }
    if (outcome.kind === 'error') {
      this.retryLater(outcome.message);
      return;
    }
    this.logger.log(
      `Successfully authenticated with master ${this.p.masterPid}`,
    );
    this.authenticated = true;
    this.maxMs = INITIAL_AUTHENTICATION_MAX_MS;
    this.p.connection.subscribe();
  }

  timedOut(pid: Upid): void {
    if (!this.p.running || this.attempt?.pid.toString() !== pid.toString())
      return;
    this.logger.warn(
      `Authentication with master ${this.p.masterPid} timed out; retrying`,
    );
    this.drop();
    this.grow();
    if (this.p.masterPid) this.authenticate();
  }

  /** The retry of a broken attempt, unless the master changed (detection started over). */
  again(master: Upid): void {
    this.retry = undefined;
    if (!this.p.running || this.authenticated || this.attempt) return;
    if (this.p.masterPid?.toString() !== master.toString()) return;
    this.authenticate();
  }

  /** Ends the attempt under way and cancels a pending retry. */
  drop(): void {
    this.retry?.cancel();
    this.retry = undefined;
    const attempt = this.attempt;
    if (!attempt) return;
    this.attempt = undefined;
    attempt.timer.cancel();
    try {
      this.actors.terminate(attempt.pid);
    } catch {
      // Already gone.
    }
  }

  /** One attempt, with a random timeout in the current range. */
  private authenticate(): void {
    const master = this.p.masterPid!;
    const timeoutMs =
      AUTHENTICATION_TIMEOUT_MIN_MS +
      (this.maxMs - AUTHENTICATION_TIMEOUT_MIN_MS) * Math.random();
    this.logger.log(
      `Authenticating with master ${master} as '${this.credential.principal}'`,
    );
    const process = new AuthenticateeProcess(
      this.actors,
      master,
      this.p.self!,
      this.credential,
      (outcome) => {
        void this.actors
          .dispatch(this.p, 'authenticated', outcome, process)
          .catch(() => undefined);
      },
    );
    const pid = this.actors.spawn(process);
    const timer = this.actors.delay(
      timeoutMs,
      this.p,
      'authenticationTimedOut',
      pid,
    );
    this.attempt = { pid, timer };
  }

  /**
   * An attempt that broke (the master's `AuthenticationErrorMessage`, e.g. "No authenticator
   * loaded", no common mechanism, a malformed message) is retried, never reported through
   * `error`: sched.cpp treats it as a failed future, logs it and authenticates again with a
   * grown timeout range, for ever (or until another master is detected). libmesos retries at
   * once; we first wait a random part of that range (up to 2 s, 4 s... 55 s), so that a master
   * that answers every attempt with an error at once is not hammered, nor our log flooded.
   */
  private retryLater(why: string): void {
    const delay = Math.random() * (this.maxMs - AUTHENTICATION_TIMEOUT_MIN_MS);
    this.logger.warn(
      `Failed to authenticate with master ${this.p.masterPid}: ${why}; retrying in ${(delay / 1000).toFixed(1)}s`,
    );
    this.grow();
    this.retry = this.actors.delay(
      delay,
      this.p,
      'authenticateAgain',
      this.p.masterPid!,
    );
  }

  /** sched.cpp's range: [min, min + factor * 2^n], up to [min, max]. */
  private grow(): void {
    this.maxMs = Math.min(
      AUTHENTICATION_TIMEOUT_MIN_MS +
        (this.maxMs - AUTHENTICATION_TIMEOUT_MIN_MS) * 2,
      AUTHENTICATION_TIMEOUT_MAX_MS,
    );
  }
}
