import {
  type ApplicationConfig,
  ExternalContextCreator,
  type NestContainer,
} from '@nestjs/core';
import {
  GuardsConsumer,
  GuardsContextCreator,
  InterceptorsConsumer,
  InterceptorsContextCreator,
  PipesConsumer,
  PipesContextCreator,
} from '@nestjs/core/internal';
import { ExternalExceptionFilterContext } from '@nestjs/core/exceptions/external-exception-filter-context.js';

/**
 * The global enhancers (`useGlobalGuards()`, `APP_GUARD` providers, ...) that apply to the
 * mailboxes: those of the `ApplicationConfig` of the microservice that runs
 * `LibprocessServer` (see `server/microservice-host.ts`), as Nest applies them to that
 * microservice's own handlers: its own config for `createMicroservice()`, the application's
 * with `connectMicroservice(..., { inheritAppConfig: true })`, a config of its own (no
 * application globals) without it.
 *
 * Why ask at all: when no enhancer applies, a mailbox handler is called directly (about
 * 1 µs) instead of through the full pipeline (several promise hops per message). Nest has no
 * public way to ask "does this config have request-scoped global enhancers?" beyond the
 * `ApplicationConfig` getters used here, which are public.
 */
export class NestGlobalEnhancers {
  private constructor(
    /** Undefined when it could not be found: then every handler takes the pipeline. */
    readonly config: ApplicationConfig | undefined,
  ) {}

  static of(config: ApplicationConfig): NestGlobalEnhancers {
    return new NestGlobalEnhancers(config);
  }

  /**
   * The config Nest gave its injectable `ExternalContextCreator`: the container's (the
   * application's), used until a microservice says which config is its own. Read from the
   * creator's private fields: `ApplicationConfig` is not injectable. If a Nest release
   * changes them, `hasAny()` answers true and every handler takes the full pipeline:
   * slower, never wrong.
   */
  static fromExternalContextCreator(
    externalContextCreator: ExternalContextCreator,
  ): NestGlobalEnhancers {
    const creator = (
      externalContextCreator as unknown as {
        guardsContextCreator?: { config?: unknown };
      }
    ).guardsContextCreator;
    const config = creator?.config as ApplicationConfig | undefined;
    return new NestGlobalEnhancers(
      typeof config?.getGlobalGuards === 'function' ? config : undefined,
    );
  }

  /** True when any global (or request-scoped global) enhancer applies, or when unsure. */
  hasAny(): boolean {
    const config = this.config;
    if (config === undefined) return true;
    return (
      this.hasFilters() ||
      hasEntries(config.getGlobalGuards?.()) ||
      hasEntries(config.getGlobalInterceptors?.()) ||
      hasEntries(config.getGlobalPipes?.()) ||
      hasEntries(config.getGlobalRequestGuards?.()) ||
      hasEntries(config.getGlobalRequestInterceptors?.()) ||
      hasEntries(config.getGlobalRequestPipes?.())
    );
  }

  /** True when a global exception filter applies, or when unsure. */
  hasFilters(): boolean {
    const config = this.config;
    return (
      config === undefined ||
      hasEntries(config.getGlobalFilters?.()) ||
      hasEntries(config.getGlobalRequestFilters?.())
    );
  }

  /**
   * An `ExternalContextCreator` whose enhancers come from this config: what
   * `ExternalContextCreator.fromContainer()` builds, with this config instead of the
   * container's.
   */
  contextCreator(container: NestContainer): ExternalContextCreator {
    const config = this.config;
    const creator = new ExternalContextCreator(
      new GuardsContextCreator(container, config),
      new GuardsConsumer(),
      new InterceptorsContextCreator(container, config),
      new InterceptorsConsumer(),
      container.getModules(),
      new PipesContextCreator(container, config),
      new PipesConsumer(),
      new ExternalExceptionFilterContext(container, config),
    );
    // As fromContainer() does: request-scoped enhancers are resolved in the container.
    (creator as unknown as { container: NestContainer }).container = container;
    return creator;
  }
}

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
