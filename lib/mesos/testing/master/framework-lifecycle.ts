import type { FrameworkInfo } from '../../mesos.types.js';
import { isTerminalState, MesosMessage } from '../../mesos.constants.js';
import { Upid } from '../../../index.js';
import { SimulatorMessage } from '../simulator.constants.js';
import {
  type FrameworkRecord,
  setSuppressedRoles,
} from './framework-registry.js';
import {
  preserveImmutableFields,
  suppressedRolesError,
  validateFramework,
  validateUpdate,
} from './framework-validation.js';
import type { SimulatedMaster } from './simulated-master.js';

/**
 * Master::subscribe and the framework's life after it: failover, re-subscription,
 * UPDATE_FRAMEWORK, deactivation, the link to the scheduler breaking, the failover timeout and
 * removal (TEARDOWN).
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class FrameworkLifecycle {
  constructor(private readonly m: SimulatedMaster) {}

  /**
   * Master::subscribe(const UPID&, Call::Subscribe&&) and _subscribe. The suppressed roles go to
   * the allocator with the framework (addFramework, updateFramework on a re-subscription), and
   * replace the ones it had; a re-sent first SUBSCRIBE from a subscribed pid changes nothing.
   */
  subscribe(
    from: Upid,
    info: FrameworkInfo,
    force: boolean,
    suppressedRoles: readonly string[] = [],
  ): void {
    const refuse = (error: string) => {
      this.m.log.info(
        `Refusing subscription of framework '${info.name}' at ${from}: ${error}`,
      );
      this.m.outbox.send(from, MesosMessage.FrameworkError, { message: error });
    };
    const requestedId = info.id?.value || undefined;
    const invalidInfo = validateFramework(info);
    if (invalidInfo) return refuse(invalidInfo);
    if (requestedId && this.m.frameworks.isCompleted(requestedId)) {
      return refuse('Framework has been removed');
    }
    const principal = this.m.authenticated.get(from.toString());
    if (this.m.settings.authenticateFrameworks && principal === undefined) {
      return refuse(`Framework at ${from} is not authenticated`);
    }
    if (
      info.principal &&
      principal !== undefined &&
      info.principal !== principal
    ) {
      return refuse(
        `Framework principal '${info.principal}' does not match authenticated principal '${principal}'`,
      );
    }
    if (!info.principal && principal !== undefined) {
      this.m.log.warn(
        `Setting 'principal' in FrameworkInfo to '${principal}' because the framework authenticated with that principal but did not set it in FrameworkInfo`,
      );
      info = { ...info, principal };
    }
    // createAllocatorFrameworkOptions, before Master::subscribe logs the call.
    const rolesError = suppressedRolesError(info, suppressedRoles);
    if (rolesError) return refuse(rolesError);
    this.m.log.info(
      `Received SUBSCRIBE call for framework '${info.name}' at ${from}`,
    );

    if (!requestedId) {
      const existing = this.m.frameworks.findByPid(from);
      if (existing) {
        this.m.log.info(
          `Framework ${existing.id} already subscribed, resending acknowledgement`,
        );
        this.sendRegistered(existing, MesosMessage.FrameworkRegistered);
        return;
      }
      const id = this.m.frameworks.newFrameworkId();
      const framework = this.m.frameworks.add(
        { ...info, id: { value: id } },
        from,
        this.m.now(),
      );
      setSuppressedRoles(framework, suppressedRoles);
      this.m.log.info(`Subscribing framework ${info.name} as ${id}`);
      this.m.outbox.link(from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
      this.m.offers.allocate();
      return;
    }

    const owner = this.m.frameworks.findByPid(from);
    if (owner && owner.id !== requestedId) {
      this.m.log.warn(
        `Dropping SUBSCRIBE call for framework '${info.name}': ${owner.id} already connected at ${from}`,
      );
      return;
    }
    let framework = this.m.frameworks.get(requestedId);
    if (!framework) {
      // Not known to this master (it failed over, and no agent reported the framework's tasks
      // yet): recover it from the FrameworkInfo the scheduler sent.
      framework = this.m.frameworks.add(info, undefined, this.m.now());
    }
    // A new user or checkpoint is ignored; a new principal refuses the subscription.
    const preserved = preserveImmutableFields(framework.info, info);
    preserved.warnings.forEach((warning) => this.m.log.warn(warning));
    info = preserved.info;
    const invalid = validateUpdate(framework.info, info);
    if (invalid) {
      this.m.outbox.send(from, MesosMessage.FrameworkError, {
        message: invalid,
      });
      return;
    }
    if (!framework.recovered && !framework.pid?.equals(from) && !force) {
      this.m.log.warn(
        `Disallowing subscription attempt of framework ${framework.id} because it is not expected from ${from}`,
      );
      this.m.outbox.send(from, MesosMessage.FrameworkError, {
        message: 'Framework failed over',
      });
      return;
    }
    framework.info = { ...info, id: { value: framework.id } };
    setSuppressedRoles(framework, suppressedRoles);
    framework.reregisteredTime = this.m.now();
    if (framework.recovered) {
      // connectAndActivateRecoveredFramework: FrameworkRegisteredMessage "per the API contract".
      framework.recovered = false;
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
    } else if (force) {
      this.m.log.info(`Framework ${framework.id} failed over`);
      // The old scheduler is told only if it is another pid and still connected.
      if (framework.pid && !framework.pid.equals(from) && framework.connected) {
        this.m.outbox.send(framework.pid, MesosMessage.FrameworkError, {
          message: 'Framework failed over',
        });
      }
      for (const offerId of [...framework.offers.keys()])
        this.m.offers.discardOffer(offerId);
      framework.inverseOffers.clear();
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkRegistered);
    } else {
      this.m.log.info(
        `Allowing framework ${framework.id} to subscribe with an already used id`,
      );
      for (const offerId of [...framework.offers.keys()])
        this.m.offers.rescindOffer(offerId);
      framework.inverseOffers.clear();
      this.connect(framework, from);
      this.sendRegistered(framework, MesosMessage.FrameworkReregistered);
    }
    this.sendFrameworkUpdates(framework);
    this.m.offers.allocate();
  }

  private connect(framework: FrameworkRecord, pid: Upid): void {
    this.m.frameworks.setPid(framework, pid);
    framework.connected = true;
    framework.active = true;
    this.m.outbox.link(pid);
  }

  private sendRegistered(framework: FrameworkRecord, type: string): void {
    this.m.outbox.send(framework.pid!, type, {
      framework_id: { value: framework.id },
      master_info: this.m.info,
    });
  }

  /** UpdateFrameworkMessage to every registered agent: they re-send pending updates at once. */
  private sendFrameworkUpdates(framework: FrameworkRecord): void {
    for (const agent of this.m.agents.all()) {
      if (agent.standing !== 'registered' || !agent.connected) continue;
      this.m.outbox.send(agent.pid, SimulatorMessage.UpdateFramework, {
        framework_id: { value: framework.id },
        pid: framework.pid?.toString() ?? '',
        framework_info: framework.info,
      });
    }
  }

  /**
   * Master::updateFramework: validation::framework::validateUpdate (principal, user and
   * checkpoint cannot change; a refusal is a FrameworkErrorMessage with the HTTP answer's body),
   * then the FrameworkInfo and the suppressed roles are replaced.
   */
  updateFramework(
    framework: FrameworkRecord,
    info: FrameworkInfo,
    suppressedRoles: readonly string[],
  ): void {
    this.m.log.info(
      `Processing UPDATE_FRAMEWORK call for framework ${framework.id}`,
    );
    const invalidInfo = validateFramework(info);
    const invalidUpdate = validateUpdate(framework.info, info);
    const rolesError = suppressedRolesError(info, suppressedRoles);
    const error = invalidInfo
      ? `Supplied FrameworkInfo is not valid: ${invalidInfo}`
      : invalidUpdate
        ? `FrameworkInfo update is not valid: ${invalidUpdate}`
        : rolesError && `'UpdateFramework' call is not valid: ${rolesError}`;
    if (error) {
      this.m.outbox.send(framework.pid!, MesosMessage.FrameworkError, {
        message: error,
      });
      return;
    }
    this.m.log.info(
      `Updating framework ${framework.id} with roles ${JSON.stringify(suppressedRoles)} suppressed`,
    );
    framework.info = { ...info, id: { value: framework.id } };
    const unsuppressed = setSuppressedRoles(framework, suppressedRoles);
    this.sendFrameworkUpdates(framework);
    if (unsuppressed) this.m.offers.allocate();
  }

  /** DeactivateFrameworkMessage (the driver's abort()). */
  deactivateFramework(from: Upid, frameworkId: string): void {
    const framework = this.m.frameworks.get(frameworkId);
    if (!framework) {
      this.m.log.warn(
        `Ignoring deactivate framework message for framework ${frameworkId} because the framework cannot be found`,
      );
      return;
    }
    if (!framework.pid?.equals(from)) {
      this.m.log.warn(
        `Ignoring deactivate framework message for framework ${frameworkId} because it is not expected from ${from}`,
      );
      return;
    }
    if (!framework.connected) {
      this.m.log.info(
        `Ignoring deactivate framework message for framework ${frameworkId} because it is disconnected`,
      );
      return;
    }
    if (framework.active) this.deactivate(framework, true);
  }

  private deactivate(framework: FrameworkRecord, rescind: boolean): void {
    this.m.log.info(`Deactivating framework ${framework.id}`);
    framework.active = false;
    for (const offerId of [...framework.offers.keys()]) {
      if (rescind) this.m.offers.rescindOffer(offerId);
      else this.m.offers.discardOffer(offerId);
    }
    framework.inverseOffers.clear();
  }

  /**
   * Master::exited: the master's link to the scheduler broke. The framework is told (the send
   * fails if it is really gone), disconnected, its offers rescinded, and it has
   * failover_timeout to come back.
   */
  frameworkExited(pid: Upid): void {
    const framework = this.m.frameworks.findByPid(pid);
    if (!framework) return;
    this.m.outbox.send(pid, MesosMessage.FrameworkError, {
      message: 'Framework disconnected',
    });
    this.m.log.info(`Framework ${framework.id} disconnected`);
    if (framework.connected) {
      if (framework.active) this.deactivate(framework, true);
      framework.connected = false;
      this.m.authenticated.delete(pid.toString());
    }
    const timeout = framework.info.failover_timeout ?? 0;
    this.m.log.info(
      `Giving framework ${framework.id} ${timeout}secs to failover`,
    );
    this.m.outbox.later(
      timeout * 1000,
      'frameworkFailoverTimeout',
      framework.id,
      framework.reregisteredTime,
    );
  }

  frameworkFailoverTimeout(
    frameworkId: string,
    reregisteredTime: number,
  ): void {
    const framework = this.m.frameworks.get(frameworkId);
    if (
      framework &&
      !framework.connected &&
      framework.reregisteredTime === reregisteredTime
    ) {
      this.m.log.info(
        `Framework failover timeout, removing framework ${framework.id}`,
      );
      this.removeFramework(framework);
    }
  }

  /** Master::removeFramework: tasks killed (ShutdownFrameworkMessage), framework completed. */
  removeFramework(framework: FrameworkRecord): void {
    this.m.log.info(
      `Removing framework ${framework.id} (${framework.info.name})`,
    );
    if (framework.active) this.deactivate(framework, false);
    for (const agent of this.m.agents.all()) {
      if (agent.standing === 'registered' && agent.connected) {
        this.m.outbox.send(agent.pid, MesosMessage.ShutdownFramework, {
          framework_id: { value: framework.id },
        });
      }
    }
    for (const task of [...framework.tasks.values()]) {
      if (!isTerminalState(task.state)) task.state = 'TASK_KILLED';
      this.m.frameworks.removeTask(framework, task.taskId);
    }
    if (framework.pid) {
      this.m.authenticated.delete(framework.pid.toString());
      this.m.outbox.unlink(framework.pid);
    }
    this.m.frameworks.remove(framework, this.m.now());
  }
}
