import type { Offer } from '../../mesos.types.js';
import { isTerminalState, MesosMessage } from '../../mesos.constants.js';
import {
  add,
  type ResourceBag,
  subtract,
  toProto,
} from '../common/resources.js';
import type { AgentRecord } from './agent-registry.js';
import { allocate } from './allocator.js';
import type { FrameworkRecord } from './framework-registry.js';
import type { SimulatedMaster } from './simulated-master.js';

/**
 * Offers: one allocation cycle (the allocator decides, the master offers), what an agent has
 * left, offer timeouts, rescinding, discarding with a refuse filter, DECLINE.
 * A part of {@link SimulatedMaster}, working on its registries and outbox.
 */
export class MasterOffers {
  constructor(private readonly m: SimulatedMaster) {}

  private nextOfferId = 0;

  /** One allocation cycle: the allocator decides, the master makes the offers. */
  allocate(): void {
    const agents = [...this.m.agents.all()]
      .filter((a) => a.standing === 'registered')
      .map((agent) => ({
        id: agent.id,
        total: agent.total,
        active: agent.connected,
        available: this.available(agent),
      }));
    const frameworks = [...this.m.frameworks.all()].map((f) => ({
      id: f.id,
      active: f.connected && f.active,
      suppressed: f.suppressed,
      allocated: this.m.frameworks.allocated(f),
      filters: f.filters,
    }));
    for (const allocation of allocate(agents, frameworks, this.m.now())) {
      const framework = this.m.frameworks.get(allocation.frameworkId)!;
      const agent = this.m.agents.get(allocation.agentId)!;
      this.offer(framework, agent, allocation.resources);
    }
  }

  /** The agent's total minus what its live tasks use minus what is offered. */
  available(agent: AgentRecord): ResourceBag {
    let used: ResourceBag = new Map();
    for (const framework of this.m.frameworks.all()) {
      for (const task of framework.tasks.values()) {
        if (task.agentId === agent.id && !isTerminalState(task.state)) {
          used = add(used, task.resources);
        }
      }
    }
    for (const offer of this.m.frameworks.allOffers()) {
      if (offer.agentId === agent.id) used = add(used, offer.resources);
    }
    return subtract(agent.total, used);
  }

  private offer(
    framework: FrameworkRecord,
    agent: AgentRecord,
    resources: ResourceBag,
  ): void {
    const offerId = `${this.m.settings.masterId}-O${this.nextOfferId++}`;
    const offer = {
      id: { value: offerId },
      framework_id: { value: framework.id },
      slave_id: { value: agent.id },
      hostname: agent.hostname,
      url: {
        scheme: 'http',
        address: {
          hostname: agent.hostname,
          ip: agent.pid.host,
          port: agent.pid.port,
        },
        path: `/${agent.pid.id}`,
      },
      resources: toProto(resources),
      attributes: [],
      executor_ids: [],
    } as unknown as Offer;
    const record = {
      offer,
      frameworkId: framework.id,
      agentId: agent.id,
      resources,
    };
    if (this.m.settings.offerTimeoutMs !== undefined) {
      Object.assign(record, {
        timeout: this.m.outbox.later(
          this.m.settings.offerTimeoutMs,
          'offerTimeout',
          offerId,
        ),
      });
    }
    this.m.frameworks.addOffer(framework, record);
    this.m.outbox.send(framework.pid!, MesosMessage.ResourceOffers, {
      offers: [offer],
      pids: [agent.pid.toString()],
    });
  }

  offerTimeout(offerId: string): void {
    if (this.m.frameworks.getOffer(offerId)) {
      this.m.log.info(`Offer ${offerId} timed out, rescinding`);
      this.rescindOffer(offerId);
    }
  }

  /** Removes an offer and tells its framework (RescindResourceOfferMessage). */
  rescindOffer(offerId: string): void {
    const record = this.m.frameworks.removeOffer(offerId);
    const framework = record && this.m.frameworks.get(record.frameworkId);
    if (framework?.pid) {
      this.m.outbox.send(framework.pid, MesosMessage.RescindResourceOffer, {
        offer_id: { value: offerId },
      });
    }
  }

  /** Removes an offer without telling the framework (it used or declined it, or failed over). */
  discardOffer(offerId: string, refuseSeconds?: number): void {
    const record = this.m.frameworks.removeOffer(offerId);
    if (!record) return;
    const framework = this.m.frameworks.get(record.frameworkId);
    // Filters default to 5 s (mesos.proto Filters.refuse_seconds).
    const seconds = refuseSeconds ?? 5;
    if (framework && seconds > 0) {
      framework.filters.set(record.agentId, this.m.now() + seconds * 1000);
    }
  }

  decline(
    framework: FrameworkRecord,
    offerIds: Array<{ value: string }>,
    refuseSeconds: number | undefined,
  ): void {
    this.m.log.info(
      `Processing DECLINE call for offers: [ ${offerIds.map((o) => o.value).join(', ')} ] for framework ${framework.id} with ${refuseSeconds ?? 5} seconds filter`,
    );
    for (const { value } of offerIds) {
      if (framework.offers.has(value)) {
        this.discardOffer(value, refuseSeconds);
      } else {
        this.m.log.warn(
          `Ignoring decline of offer ${value} since it is no longer valid`,
        );
      }
    }
  }
}
