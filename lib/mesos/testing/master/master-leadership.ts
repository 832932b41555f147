import { Logger } from '@nestjs/common';
import { RouteResponse, type Upid } from '../../../index.js';
import type { MasterNodeSettings } from './master-node.settings.js';

/**
 * Whether this master leads, as the ZooKeeper election decides for a real one: since when (the
 * state endpoint's `elected_time`), where the leader is (the node settings' `leader`, shared
 * with the node's other processes), and what a non-leader does: drop every message
 * (Master::consume, counted in master/dropped_messages) and redirect its endpoints.
 * A part of {@link MasterProcess}.
 *
 * @internal
 */
export class MasterLeadership {
  private readonly logger = new Logger('MesosMaster');
  /** master/dropped_messages. */
  droppedMessages = 0;
  private electedTime?: number;

  constructor(private readonly settings: MasterNodeSettings) {}

  get isLeading(): boolean {
    return this.electedTime !== undefined;
  }

  /** When this master was elected (ms), while it leads. */
  get elected(): number | undefined {
    return this.electedTime;
  }

  /** Becomes the leading master at `self`; a re-election keeps the first election's time. */
  elect(self: Upid): void {
    this.electedTime ??= this.settings.clock.now();
    this.settings.leader = `${self.host}:${self.port}`;
  }

  /** Steps down, redirecting to `leader` (host:port) when there is one. */
  demote(leader?: string): void {
    this.electedTime = undefined;
    this.settings.leader = leader;
  }

  /** True when leading; otherwise the message `name` is dropped (counted and logged). */
  admits(name: string): boolean {
    if (this.isLeading) return true;
    this.droppedMessages++;
    this.logger.debug(`Dropping '${name}' message since not elected yet`);
    return false;
  }

  /** A non-leader's answer to its endpoints: 307 to the leader, or 503 without one. */
  redirect(path: string): RouteResponse | undefined {
    if (this.isLeading) return undefined;
    if (!this.settings.leader)
      return new RouteResponse(503, 'No leader elected');
    return new RouteResponse(307, '', {
      Location: `//${this.settings.leader}${path}`,
    });
  }

  /** `GET /master/redirect`: to the leader, whoever answers. */
  leaderRedirect(): RouteResponse {
    return this.settings.leader
      ? new RouteResponse(307, '', { Location: `//${this.settings.leader}` })
      : new RouteResponse(503, 'No leader elected');
  }
}
