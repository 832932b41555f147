import { Logger } from '@nestjs/common';

import type { ActorRef } from '../../services/actor-ref.service.js';
import type { StatusUpdate, TaskStatus } from '../mesos.types.js';
import type { PendingReconciliation } from './reconciliation.js';
import type { SchedulerProcess } from './scheduler.process.js';

/**
 * The status updates the driver receives (from the master, or generated for launches while
 * disconnected): each answers the pending explicit reconciliations, goes to the scheduler's
 * `statusUpdate` callback and, with implicit acknowledgements, is acknowledged once the callback
 * succeeded. Also the RECONCILE calls of those reconciliations, retried with back-off and sent
 * again at each (re-)registration until every task is answered.
 * A part of {@link SchedulerProcess}: the retries come back through its `retryReconciliation`
 * method, on its queue.
 *
 * @internal
 */
export class SchedulerStatusUpdates {
  private readonly logger = new Logger('SchedulerDriver');

  constructor(
    private readonly p: SchedulerProcess,
    private readonly actors: ActorRef,
  ) {}

  /** A master generates an update locally (no uuid) when asked to launch while disconnected. */
  receive(update: StatusUpdate, pid?: string): void {
    const p = this.p;
    if (!p.running) return;
    const acknowledgeable = update.uuid !== undefined && update.uuid.length > 0;
    const status: TaskStatus = { ...update.status };
    if (acknowledgeable && pid) status.uuid = Buffer.from(update.uuid!);
    else delete status.uuid;
    if (!status.slave_id && update.slave_id) status.slave_id = update.slave_id;
    for (const reconciliation of p.reconciliations) {
      if (reconciliation.answer(status))
        p.reconciliations.delete(reconciliation);
    }
    // Held like a callback until acknowledged: a stop() it asks for comes after the ACKNOWLEDGE.
    p.callbacks.hold(() =>
      this.acknowledgeAfter(
        p.callbacks.invoke('statusUpdate', status),
        update,
        acknowledgeable,
      ),
    );
  }

  resendReconciliations(): void {
    for (const reconciliation of this.p.reconciliations) {
      this.sendReconcile(reconciliation);
    }
  }

  /** Sends the unanswered part of a reconciliation and arms its retry. */
  sendReconcile(reconciliation: PendingReconciliation): void {
    reconciliation.cancelRetry?.();
    if (this.p.connected) {
      this.p.sendCall({
        type: 'RECONCILE',
        reconcile: { tasks: reconciliation.tasks() },
      });
    }
    const timer = this.actors.delay(
      reconciliation.nextRetryMs(),
      this.p,
      'retryReconciliation',
      reconciliation,
    );
    reconciliation.cancelRetry = () => timer.cancel();
  }

  /** The retry timer of a reconciliation still unanswered. */
  retry(reconciliation: PendingReconciliation): void {
    if (this.p.running && this.p.reconciliations.has(reconciliation)) {
      this.sendReconcile(reconciliation);
    }
  }

  private acknowledgeAfter(
    result: boolean | Promise<unknown>,
    update: StatusUpdate,
    acknowledgeable: boolean,
  ): void {
    if (!this.p.config.implicitAcknowledgements || !acknowledgeable) return;
    const status = update.status;
    // sched.cpp acknowledges whenever the update has a uuid (master-generated ones have none).
    const acknowledge = () => {
      if (!this.p.running || !this.p.connected) return;
      if (!update.slave_id) {
        this.logger.warn(
          `Cannot acknowledge ${status.state} of task ${status.task_id.value}: no agent id`,
        );
        return;
      }
      this.p.sendCall({
        type: 'ACKNOWLEDGE',
        acknowledge: {
          slave_id: update.slave_id,
          task_id: status.task_id,
          uuid: Buffer.from(update.uuid!),
        },
      });
    };
    // A failed callback leaves the update unacknowledged: the agent sends it again.
    if (result instanceof Promise) result.then(acknowledge, () => undefined);
    else if (result) acknowledge();
  }
}
