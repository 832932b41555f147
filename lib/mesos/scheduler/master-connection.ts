import { Logger } from '@nestjs/common';

import type { DelayHandle } from '../../interfaces/actor-ref-options.interface.js';
import type { ActorRef } from '../../services/actor-ref.service.js';
import type { Upid } from '../../wire/upid.js';
import type { MasterDetector } from '../detector/master-detector.interface.js';
import { masterPid } from '../detector/master-info.js';
import { MesosCodec } from '../mesos.codec.js';
import { MesosMessage } from '../mesos.constants.js';
import type {
  Call,
  FrameworkRegisteredMessage,
  MasterInfo,
} from '../mesos.types.js';
import { REGISTRATION_RETRY_INTERVAL_MAX_MS } from './scheduler.constants.js';
import type { SchedulerProcess } from './scheduler.process.js';

/**
 * The driver's way to a leading master and its life with it (sched.cpp's `detected`,
 * `doReliableRegistration`, `registered`/`reregistered`): detection (again after a random
 * back-off when there is no leader or the link breaks), the link to the master, authentication
 * when a credential is set, SUBSCRIBE with random back-off until (re-)registered, and the
 * optional deadline (`failoverDeadlineMs`) for being registered. The connection's state
 * (`masterPid`, `connected`, ...) lives on the process, which the calls read too.
 * A part of {@link SchedulerProcess}: detection results and timers come back through its
 * `detected`, `detect`, `doReliableRegistration` and `deadlinePassed` methods, on its queue.
 *
 * @internal
 */
export class MasterConnection {
  private readonly logger = new Logger('SchedulerDriver');
  /** Bumped at every detection, so that a late answer of an older one is ignored. */
  private detection = 0;
  private detectionTimer?: DelayHandle;
  private detectBackoffMs: number;
  private registrationTimer?: DelayHandle;
  private registrationAttempts = 0;
  private deadlineTimer?: DelayHandle;

  constructor(
    private readonly p: SchedulerProcess,
    private readonly actors: ActorRef,
    private readonly detector: MasterDetector,
  ) {
    this.detectBackoffMs = p.config.registrationBackoffMs;
  }

  /** Follows the detector's leader changes and starts the first detection. */
  start(): void {
    this.detector.onChange((leader) => {
      void this.actors
        .dispatch(this.p, 'detected', leader, ++this.detection)
        .catch(() => undefined);
    });
    this.armDeadline();
    this.detect();
  }

  /** Asks the detector; the answer comes back on the process' queue. */
  detect(): void {
    this.detectionTimer = undefined;
    if (!this.p.running) return;
    const generation = ++this.detection;
    void this.detector
      .detect()
      .then((leader) =>
        this.actors
          .dispatch(this.p, 'detected', leader, generation)
          .catch(() => undefined),
      );
  }

  /**
   * A (possibly new) leading master, or none. As sched.cpp's `detected()`: a connected driver
   * reports `disconnected`, links to the new master and authenticates or subscribes.
   */
  detected(leader: MasterInfo | undefined, generation: number): void {
    const p = this.p;
    if (!p.running || generation !== this.detection) return;
    const pid = leader ? masterPid(leader) : undefined;
    if (pid && p.masterPid?.equals(pid) && (p.connected || p.linked)) {
      return; // The same master, still reachable: registration is under way.
    }
    if (p.connected) {
      p.connected = false;
      this.logger.warn(`Disconnected from master ${p.masterPid}`);
      p.callbacks.invoke('disconnected');
      this.armDeadline();
    }
    p.authentication?.drop();
    this.registrationTimer?.cancel();
    if (p.masterPid && (!pid || !p.masterPid.equals(pid))) {
      this.actors.unlink(p.masterPid, { from: p });
    }
    p.master = leader;
    p.masterPid = pid;
    p.linked = false;
    if (!pid) {
      this.logger.log(
        `No leading master at ${this.detector.description}; detecting again`,
      );
      this.scheduleDetection();
      return;
    }
    this.logger.log(`New master detected at ${pid}`);
    p.linked = true;
    this.actors.link(pid, { from: p });
    if (p.authentication) p.authentication.start();
    else this.subscribe();
  }

  /** The link to the master broke: it died, restarted, or another master leads. Detect again. */
  exited(pid: Upid): void {
    const p = this.p;
    if (!p.running || !p.masterPid?.equals(pid)) return;
    p.linked = false;
    if (p.connected) {
      p.connected = false;
      this.logger.warn(
        `Master ${pid} disconnected; detecting the leader again`,
      );
      p.callbacks.invoke('disconnected');
      this.armDeadline();
    }
    p.authentication?.drop();
    this.registrationTimer?.cancel();
    this.scheduleDetection();
  }

  /** Subscribes from the first back-off (a new master, or once authenticated). */
  subscribe(): void {
    this.registrationAttempts = 0;
    this.doReliableRegistration(this.p.config.registrationBackoffMs);
  }

  /** sched.cpp's `doReliableRegistration`: SUBSCRIBE until (re-)registered, with random back-off. */
  doReliableRegistration(maxBackoffMs: number): void {
    const p = this.p;
    this.registrationTimer = undefined;
    if (!p.running || p.connected || !p.masterPid) return;
    if (p.authentication && !p.authentication.authenticated) return;
    // A master that stopped leading while we subscribe drops our calls without a word: past the
    // first retries, ask the detector again (cheap, and it follows a redirect to the new leader).
    if (++this.registrationAttempts > 2) this.detect();
    const id = p.framework.id?.value ? p.framework.id : undefined;
    const call: Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: p.framework,
        suppressed_roles: [...p.suppressedRoles],
        // `force` only with a framework id: it makes this pid take over the framework.
        ...(id && { force: p.failover }),
      },
      ...(id && { framework_id: id }),
    };
    this.logger.debug(`Sending SUBSCRIBE to ${p.masterPid}`);
    p.sendToMaster(MesosMessage.Call, call);
    let backoff = Math.min(maxBackoffMs, REGISTRATION_RETRY_INTERVAL_MAX_MS);
    const failoverMs = (p.framework.failover_timeout ?? 0) * 1000;
    if (failoverMs > 0) backoff = Math.min(backoff, failoverMs / 10);
    this.registrationTimer = this.actors.delay(
      Math.random() * backoff,
      p,
      'doReliableRegistration',
      backoff * 2,
    );
  }

  /** FrameworkRegisteredMessage or FrameworkReregisteredMessage, from the leading master only. */
  registered(from: Upid, body: Buffer, reregistered: boolean): void {
    const p = this.p;
    const kind = reregistered ? 'reregistered' : 'registered';
    if (!p.running) return;
    if (p.connected) {
      this.logger.debug(
        `Ignoring framework ${kind} message: already connected`,
      );
      return;
    }
    if (!p.masterPid?.equals(from)) {
      this.logger.warn(
        `Ignoring framework ${kind} message from ${from}: the leading master is ${p.masterPid ?? 'unknown'}`,
      );
      return;
    }
    const message = MesosCodec.decode<FrameworkRegisteredMessage>(
      reregistered
        ? MesosMessage.FrameworkReregistered
        : MesosMessage.FrameworkRegistered,
      body,
    );
    p.framework.id = message.framework_id;
    p.connected = true;
    p.failover = false;
    this.registrationTimer?.cancel();
    this.deadlineTimer?.cancel();
    this.detectBackoffMs = p.config.registrationBackoffMs;
    this.logger.log(
      `Framework ${message.framework_id.value} ${kind} with ${message.master_info.pid ?? from}`,
    );
    if (p.sendUpdateFrameworkOnConnect) p.sendUpdateFramework();
    if (reregistered) p.callbacks.invoke('reregistered', message.master_info);
    else
      p.callbacks.invoke(
        'registered',
        message.framework_id,
        message.master_info,
      );
    p.statusUpdates.resendReconciliations();
  }

  /** Gives up the optional deadline (`failoverDeadlineMs`) when not registered in time. */
  deadlinePassed(): void {
    this.deadlineTimer = undefined;
    if (this.p.running && !this.p.connected) {
      this.p.error(
        `Not registered with a master within ${this.p.config.failoverDeadlineMs} ms (failoverDeadlineMs)`,
      );
    }
  }

  /** The driver stopped or aborted: no more detection, retries or deadline, no link. */
  close(): void {
    this.detection++;
    this.detectionTimer?.cancel();
    this.registrationTimer?.cancel();
    this.deadlineTimer?.cancel();
    this.p.authentication?.drop();
    if (this.p.masterPid)
      this.actors.unlink(this.p.masterPid, { from: this.p });
    void this.detector.close();
  }

  private armDeadline(): void {
    const deadline = this.p.config.failoverDeadlineMs;
    if (deadline === undefined || this.deadlineTimer?.pending) return;
    this.deadlineTimer = this.actors.delay(deadline, this.p, 'deadlinePassed');
  }

  /** Detection again after a random back-off (as registration), so a dead master is not hammered. */
  private scheduleDetection(): void {
    if (this.detectionTimer?.pending) return;
    const delay = Math.random() * this.detectBackoffMs;
    this.detectBackoffMs = Math.min(
      this.detectBackoffMs * 2,
      REGISTRATION_RETRY_INTERVAL_MAX_MS,
    );
    this.detectionTimer = this.actors.delay(delay, this.p, 'detect');
  }
}
