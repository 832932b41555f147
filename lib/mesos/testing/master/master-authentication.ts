import type { ActorRef, Upid } from '../../../index.js';
import {
  type AuthenticationOutcome,
  CramMd5AuthenticatorSession,
} from '../auth/cram-md5-authenticator.session.js';
import { SimulatorMessage } from '../simulator.constants.js';
import type { MasterNodeSettings } from './master-node.settings.js';
import type { SimulatedMaster } from './simulated-master.js';

/** @internal */
interface Authenticating {
  session: CramMd5AuthenticatorSession;
  /** SUBSCRIBE calls queued until the authentication ends (Master::subscribe does so). */
  waiting: Array<() => void>;
}

/**
 * Master::authenticate and _authenticate: one CRAM-MD5 session per authenticatee pid (a new
 * AuthenticateMessage discards the outstanding one), its timeout, the principal recorded in
 * `SimulatedMaster.authenticated`, and the SUBSCRIBE calls that wait for the outcome.
 * A part of {@link MasterProcess}: the session's end and the timeout come back through the
 * process' `authenticated` and `timer` methods, on its queue.
 *
 * @internal
 */
export class MasterAuthentication {
  private readonly authenticating = new Map<string, Authenticating>();

  constructor(
    private readonly actors: ActorRef,
    private readonly self: Upid,
    private readonly settings: MasterNodeSettings,
    private readonly master: SimulatedMaster,
  ) {}

  /** An AuthenticateMessage from `from` for the authenticatee `pid`. */
  authenticate(from: Upid, pid: string): void {
    const erased = this.master.authenticated.delete(pid);
    const credentials = this.settings.credentials;
    if (!credentials || credentials.length === 0) {
      this.master.log.warn(
        `Received authentication request from ${pid} but authenticator is not loaded`,
      );
      this.actors.sendProto(
        from,
        SimulatorMessage.AuthenticationError,
        { error: 'No authenticator loaded' },
        { from: this.self },
      );
      return;
    }
    const previous = this.authenticating.get(pid);
    if (previous) {
      this.master.log.info(
        `Re-authenticating ${pid}; discarding outstanding authentication`,
      );
      previous.session.discard();
    } else {
      this.master.log.info(
        `Authenticating ${pid}${erased ? '; clearing previous authentication' : ''}`,
      );
    }
    const entry: Authenticating = {
      session: undefined!,
      waiting: previous?.waiting ?? [],
    };
    entry.session = new CramMd5AuthenticatorSession(
      this.actors,
      from,
      new Map(credentials.map((c) => [c.principal, c.secret])),
      this.master.info.hostname ?? this.self.host,
      (outcome) =>
        void this.actors
          .dispatch(this.self, 'authenticated', pid, entry.session, outcome)
          .catch(() => undefined),
    );
    this.authenticating.set(pid, entry);
    this.actors.spawn(entry.session);
    this.actors.delay(
      this.settings.authenticationTimeoutMs ?? 15_000,
      this.self,
      'timer',
      'authenticationTimeout',
      pid,
      entry.session,
    );
  }

  /** Master::_authenticate: the session ended; the queued SUBSCRIBE calls run. */
  authenticated(
    pid: string,
    session: CramMd5AuthenticatorSession,
    outcome: AuthenticationOutcome,
  ): void {
    const entry = this.authenticating.get(pid);
    if (entry?.session !== session) {
      this.master.log.info(`Ignoring stale authentication result of ${pid}`);
      return;
    }
    this.authenticating.delete(pid);
    if ('error' in outcome) {
      this.master.log.warn(
        `An error ocurred while attempting to authenticate ${pid}: ${outcome.error}`,
      );
    } else if (outcome.principal === null) {
      this.master.log.info(
        `Authentication of ${pid} was unsuccessful: Invalid credentials`,
      );
    } else {
      this.master.log.info(
        `Successfully authenticated principal '${outcome.principal}' at ${pid}`,
      );
      this.master.authenticated.set(pid, outcome.principal);
    }
    for (const run of entry.waiting) run();
  }

  /** The session's timer: a session still outstanding is discarded (it then ends in error). */
  authenticationTimeout(
    pid: string,
    session: CramMd5AuthenticatorSession,
  ): void {
    if (this.authenticating.get(pid)?.session === session) {
      this.master.log.warn('Authentication timed out');
      session.discard();
    }
  }

  /** Queues a SUBSCRIBE from `from` while it authenticates; false when it does not. */
  queueWhileAuthenticating(from: Upid, run: () => void): boolean {
    const entry = this.authenticating.get(from.toString());
    if (!entry) return false;
    this.master.log.info(
      `Queuing up SUBSCRIBE call for framework at ${from} because authentication is still in progress`,
    );
    entry.waiting.push(run);
    return true;
  }
}
