import type {
  ExecutorID,
  FrameworkID,
  InverseOffer,
  MasterInfo,
  Offer,
  OfferID,
  SlaveID,
  TaskStatus,
} from '../../mesos.types.js';

/** What a callback may return: the driver waits for a promise before acknowledging an update. */
export type CallbackResult = void | Promise<void>;

/**
 * The callbacks of a Mesos framework scheduler (libmesos' `mesos::Scheduler`), implemented by a
 * provider decorated with `@MesosScheduler()` (which also names this interface: `implements
 * MesosScheduler`); each one is optional. They run one at a time on the
 * driver's process queue, in the order the master's messages arrived. Calls go through the injected
 * `SchedulerDriver`.
 *
 * Why an interface and not one decorator per event: the eleven callbacks are a fixed set with fixed
 * arguments, so `implements MesosScheduler` type-checks every signature (a misspelt method or a
 * wrong parameter is a compile error), as Nest's lifecycle hooks (`OnModuleInit`) do; a decorator
 * per method could not.
 * @publicApi
 */
export interface MesosSchedulerCallbacks {
  /** Subscribed for the first time (or after a failover with `force`): the framework id to keep. */
  registered?(frameworkId: FrameworkID, masterInfo: MasterInfo): CallbackResult;
  /** Re-subscribed to a (possibly new) leading master with the same framework id. */
  reregistered?(masterInfo: MasterInfo): CallbackResult;
  /** The master went away or another one leads; the driver is finding and re-subscribing to it. */
  disconnected?(): CallbackResult;
  resourceOffers?(offers: Offer[]): CallbackResult;
  /** Maintenance: resources to give back (v1 HTTP masters send them; pid frameworks rarely see them). */
  inverseOffers?(offers: InverseOffer[]): CallbackResult;
  offerRescinded?(offerId: OfferID): CallbackResult;
  inverseOfferRescinded?(offerId: OfferID): CallbackResult;
  /**
   * A task's status. With implicit acknowledgements (the default) the driver acknowledges it once
   * this returns (or its promise resolves; a rejected promise leaves it unacknowledged, so the agent
   * sends it again). `status.uuid` is set only for updates that need an acknowledgement.
   */
  statusUpdate?(status: TaskStatus): CallbackResult;
  frameworkMessage?(
    executorId: ExecutorID,
    slaveId: SlaveID,
    data: Buffer,
  ): CallbackResult;
  slaveLost?(slaveId: SlaveID): CallbackResult;
  executorLost?(
    executorId: ExecutorID,
    slaveId: SlaveID,
    status: number,
  ): CallbackResult;
  /**
   * Fatal: the driver aborted (the master's `FrameworkErrorMessage` text, a refused authentication,
   * the failover deadline passed...). Nothing more is received. An authentication that breaks
   * (`AuthenticationErrorMessage`, a timeout) is retried and logged, not reported here, as libmesos.
   */
  error?(message: string): CallbackResult;
}
