import type { ModuleMetadata, Type } from '@nestjs/common';

import type { DeepPartial, FrameworkInfo } from '../../mesos.types.js';
import type { MesosSchedulerCallbacks } from './scheduler.interface.js';

/**
 * A framework credential (CRAM-MD5): the master's `--credentials` must list the principal.
 * @publicApi
 */
export interface SchedulerCredential {
  principal: string;
  /** The secret itself... */
  secret?: string;
  /** ...or a file holding it (trailing newlines are ignored), read when the driver starts. */
  secretFile?: string;
}

/**
 * The FrameworkInfo to subscribe with. `user` defaults to the current user and `hostname` to this
 * machine's, as libmesos fills them; `principal` to the credential's.
 * @publicApi
 */
export type FrameworkInfoInput = Omit<
  DeepPartial<FrameworkInfo>,
  'name' | 'user'
> & {
  name: string;
  user?: string;
};

/**
 * Options of `MesosSchedulerModule.forRoot()`.
 * @publicApi
 */
export interface SchedulerDriverOptions {
  /**
   * The master: `host:port` (a non-leader's redirect is followed to the leader),
   * `zk://[user:pass@]h1:p1,h2:p2/path`, or `file:///path` holding either.
   */
  master: string;
  framework: FrameworkInfoInput;
  credential?: SchedulerCredential;
  /**
   * Acknowledge each status update once `statusUpdate` returns (libmesos' default). When false,
   * call `SchedulerDriver.acknowledgeStatusUpdate()` yourself.
   */
  implicitAcknowledgements?: boolean;
  /**
   * Roles suppressed from the first SUBSCRIBE on (libmesos' `suppressedRoles` constructor
   * argument): the master makes no offers for them until `reviveOffers()`. Each must be one of
   * the framework's roles, or the master refuses the subscription (`error`).
   */
  suppressedRoles?: string[];
  /**
   * Start when the libprocess node listens (default true). When false, call
   * `SchedulerDriver.start()`.
   */
  autoStart?: boolean;
  /**
   * Give up (`error` callback, driver aborted) when not (re-)registered within this many ms of
   * starting or of losing the master. Unset (the default, as libmesos): retry for ever; a master
   * that comes back keeps the framework, also after its `failover_timeout`.
   */
  failoverDeadlineMs?: number;
  /**
   * Registration back-off factor (libmesos' `--registration_backoff_factor`, default 2000 ms):
   * retry k waits a random time up to factor * 2^k, capped at 1 min and failover_timeout / 10.
   */
  registrationBackoffMs?: number;
  /**
   * The scheduler's callbacks. Default: the provider decorated with `@MesosScheduler()`.
   */
  scheduler?: Type<MesosSchedulerCallbacks>;
}

/**
 * @publicApi
 */
export interface SchedulerDriverAsyncOptions extends Pick<
  ModuleMetadata,
  'imports'
> {
  useFactory: (
    ...args: any[]
  ) => SchedulerDriverOptions | Promise<SchedulerDriverOptions>;
  inject?: any[];
}
