/** The C++ driver's `--registration_backoff_factor` default (src/sched/constants.hpp). */
export const DEFAULT_REGISTRATION_BACKOFF_MS = 2000;
/** `REGISTRATION_RETRY_INTERVAL_MAX` (src/sched/constants.hpp). */
export const REGISTRATION_RETRY_INTERVAL_MAX_MS = 60_000;
/** `--authentication_backoff_factor`, `--authentication_timeout_min` / `_max` defaults. */
export const AUTHENTICATION_BACKOFF_FACTOR_MS = 1000;
export const AUTHENTICATION_TIMEOUT_MIN_MS = 5000;
export const AUTHENTICATION_TIMEOUT_MAX_MS = 60_000;
/** Explicit reconciliation: first retry after this long without an answer, doubling up to the cap. */
export const RECONCILIATION_RETRY_MIN_MS = 1000;
export const RECONCILIATION_RETRY_MAX_MS = 60_000;
export const MESOS_SCHEDULER_METADATA = 'nestjs-libprocess:mesos-scheduler';

/**
 * The driver's life (libmesos' `Status`): NOT_STARTED -> RUNNING -> STOPPED | ABORTED.
 * @publicApi
 */
export enum DriverStatus {
  NOT_STARTED = 'DRIVER_NOT_STARTED',
  RUNNING = 'DRIVER_RUNNING',
  ABORTED = 'DRIVER_ABORTED',
  STOPPED = 'DRIVER_STOPPED',
}
