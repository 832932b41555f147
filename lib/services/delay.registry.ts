import { Injectable, type OnApplicationShutdown } from '@nestjs/common';

import { DUPLICATE_DELAY, NO_DELAY_FOUND } from '../actor.messages.js';
import { LibprocessError } from '../errors/libprocess.error.js';
import type { DelayHandle } from '../interfaces/actor-ref-options.interface.js';

/**
 * Named delays (`ActorRef.delay()` handles), like `SchedulerRegistry` of @nestjs/schedule
 * for timeouts. Every delay is cancelled on shutdown.
 *
 * @publicApi
 */
@Injectable()
export class DelayRegistry implements OnApplicationShutdown {
  private readonly delays = new Map<string, DelayHandle>();

  /**
   * Registers a delay under `name`. A name whose delay already fired or was cancelled can
   * be reused.
   * @throws LibprocessError when a pending delay has that name
   */
  addDelay(name: string, delay: DelayHandle): void {
    if (this.delays.get(name)?.pending) {
      throw new LibprocessError(DUPLICATE_DELAY(name));
    }
    this.delays.set(name, delay);
  }

  /** @throws LibprocessError when no delay has that name */
  getDelay(name: string): DelayHandle {
    const delay = this.delays.get(name);
    if (!delay) throw new LibprocessError(NO_DELAY_FOUND(name));
    return delay;
  }

  doesExist(name: string): boolean {
    return this.delays.has(name);
  }

  /** Names of the registered delays (pending or not). */
  getDelays(): string[] {
    return [...this.delays.keys()];
  }

  /**
   * Cancels the delay and forgets its name.
   * @throws LibprocessError when no delay has that name
   */
  deleteDelay(name: string): void {
    this.getDelay(name).cancel();
    this.delays.delete(name);
  }

  onApplicationShutdown(): void {
    for (const delay of this.delays.values()) delay.cancel();
    this.delays.clear();
  }
}
