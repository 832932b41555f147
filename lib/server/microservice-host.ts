import type { ApplicationConfig, NestContainer } from '@nestjs/core';
import { NestMicroservice } from '@nestjs/microservices';

/** What the microservice running a strategy knows and Nest gives it no way to ask. */
export interface MicroserviceHost {
  readonly container: NestContainer;
  /**
   * Its global enhancers: its own for `createMicroservice()`, the application's with
   * `connectMicroservice(..., { inheritAppConfig: true })`, a fresh one without it.
   */
  readonly applicationConfig: ApplicationConfig;
}

/** A strategy told which microservice runs it. */
export interface MicroserviceHostAware {
  [MICROSERVICE_HOST](host: MicroserviceHost): void;
}

/** @internal Shared by every copy of the package loaded in one process. */
export const MICROSERVICE_HOST = Symbol.for(
  'nestjs-libprocess.microservice-host',
);

const INSTALLED = Symbol.for('nestjs-libprocess.microservice-host.installed');

interface MicroserviceInternals {
  serverInstance?: unknown;
  container?: NestContainer;
  applicationConfig?: ApplicationConfig;
  registerListeners(this: MicroserviceInternals): void;
  [INSTALLED]?: true;
}

function isHostAware(server: unknown): server is MicroserviceHostAware {
  return (
    typeof server === 'object' &&
    server !== null &&
    typeof (server as Partial<MicroserviceHostAware>)[MICROSERVICE_HOST] ===
      'function'
  );
}

/**
 * Lets a `NestMicroservice` tell its strategy its container and `ApplicationConfig`, so that
 * the mailboxes get the global enhancers Nest gives that microservice's own handlers.
 *
 * Why this wraps `NestMicroservice.prototype.registerListeners`: Nest builds the handlers of
 * a microservice with its own `ApplicationConfig` (`inheritAppConfig` decides which), but a
 * custom strategy is never given it, and our mailboxes are bound by our own explorer, not by
 * Nest's listeners controller. `registerListeners()` is the one public method every path
 * calls before `listen()` (`createMicroservice`, the testing module, `connectMicroservice`
 * at once or, with `deferInitialization`, when started). The wrapper only passes the two
 * values to a strategy that asks for them, then runs the original; other strategies see no
 * change. If a Nest release renames these fields, the strategy is never told and keeps the
 * application's config (the behaviour before this existed); the e2e test on
 * `inheritAppConfig: false` fails then.
 */
export function installMicroserviceHostHook(): void {
  const prototype =
    NestMicroservice.prototype as unknown as MicroserviceInternals;
  if (prototype[INSTALLED] || typeof prototype.registerListeners !== 'function')
    return;
  const original = prototype.registerListeners;
  prototype.registerListeners = function registerListeners(
    this: MicroserviceInternals,
  ): void {
    const server = this.serverInstance;
    if (
      isHostAware(server) &&
      this.container !== undefined &&
      this.applicationConfig !== undefined
    ) {
      server[MICROSERVICE_HOST]({
        container: this.container,
        applicationConfig: this.applicationConfig,
      });
    }
    return original.call(this);
  };
  prototype[INSTALLED] = true;
}
