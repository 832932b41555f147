import type { Logger } from '@nestjs/common';
import type { ActorRef, DelayHandle, Upid } from '../../../index.js';
import type { AgentReport } from '../master/master.types.js';
import { toProto } from '../common/resources.js';
import { AGENT_REGISTER } from '../simulator-internal.js';
import type { AgentSettings } from './agent.process.js';

/**
 * The agent's standing with its master: the (re-)registration, sent again until the master
 * answers and again after the master's link breaks (its node restarted, or another master was
 * elected), and the agent-lost partition that cuts it off until healed. Everything the agent
 * sends to the master goes through {@link toMaster}, so a partitioned agent sends nothing.
 * A part of {@link AgentProcess}: the retries come back to its `register` method.
 *
 * @internal
 */
export class AgentRegistration {
  self!: Upid;
  /** Registered with the current master. */
  registered = false;
  /** Cut off from the master (agent-lost mode): sends nothing, re-registers when healed. */
  partitioned = false;
  private reregisterTimer?: DelayHandle;

  constructor(
    private readonly actors: ActorRef,
    private readonly settings: AgentSettings,
    private readonly logger: Logger,
  ) {}

  /** Sends the (re-)registration with `tasks` to the master, and again until it answers. */
  register(tasks: AgentReport['tasks']): void {
    this.reregisterTimer?.cancel();
    if (this.partitioned) return;
    this.actors.link(this.settings.master, { from: this.self });
    const report: Omit<AgentReport, 'pid'> = {
      id: this.settings.agentId,
      hostname: this.settings.hostname,
      resources: toProto(this.settings.resources),
      tasks,
    };
    this.actors.send(
      this.settings.master,
      AGENT_REGISTER,
      JSON.stringify(report),
      { from: this.self },
    );
    this.reregisterLater();
  }

  /** The master's answer; false when it is not from the master or the agent is partitioned. */
  answered(from: Upid): boolean {
    if (!this.fromMaster(from)) return false;
    this.reregisterTimer?.cancel();
    if (!this.registered) this.logger.log(`Registered with master ${from}`);
    this.registered = true;
    return true;
  }

  /** The link to the master broke: re-register after `reregisterDelayMs`. */
  masterExited(pid: Upid): void {
    if (!pid.equals(this.settings.master) || this.partitioned) return;
    this.logger.log(
      'Master disconnected! Waiting for a new master to be elected',
    );
    this.registered = false;
    this.reregisterTimer?.cancel();
    this.reregisterLater();
  }

  /** Agent-lost mode: stop talking to the master. */
  partition(): void {
    this.partitioned = true;
    this.registered = false;
    this.reregisterTimer?.cancel();
  }

  /** Ends a partition (the caller registers again). */
  heal(): void {
    this.partitioned = false;
  }

  /** Stops the retries (the node is closing). */
  stop(): void {
    this.reregisterTimer?.cancel();
  }

  /** Status updates go out only to a master the agent is registered with. */
  get canForward(): boolean {
    return !this.partitioned && this.registered;
  }

  /** A message from the master, unless partitioned (then it is ignored). */
  fromMaster(from: Upid): boolean {
    return from.equals(this.settings.master) && !this.partitioned;
  }

  toMaster(type: string, message: object): void {
    if (this.partitioned) return;
    this.actors.sendProto(this.settings.master, type, message, {
      from: this.self,
    });
  }

  private reregisterLater(): void {
    this.reregisterTimer = this.actors.delay(
      this.settings.reregisterDelayMs,
      this.self,
      'register',
    );
  }
}
