import type { ExternalContextCreator } from '@nestjs/core';

/**
 * What Nest knows about the app's global enhancers (`app.useGlobalGuards()`, `APP_GUARD`
 * providers, ...), read from the context creators inside `ExternalContextCreator`.
 *
 * Why private fields: Nest has no public way to ask "does this app have global guards,
 * interceptors, pipes or filters?", and the answer decides whether a mailbox handler may
 * be called directly (about 1 µs) instead of through the full pipeline (several promise
 * hops per message). The global lists live only in `ApplicationConfig`, which is not
 * injectable; `ExternalContextCreator` holds the creators that read it. If a Nest release
 * changes these fields, `hasAny()` answers true and every handler takes the full pipeline:
 * slower, never wrong.
 */
interface EnhancerContextCreator {
  getGlobalMetadata?(): unknown[];
  config?: {
    getGlobalRequestGuards?(): unknown[];
    getGlobalRequestInterceptors?(): unknown[];
    getGlobalRequestPipes?(): unknown[];
    getGlobalRequestFilters?(): unknown[];
  };
}

const CONTEXT_CREATORS = [
  'guardsContextCreator',
  'interceptorsContextCreator',
  'pipesContextCreator',
  'filtersContextCreator',
] as const;

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

export class NestGlobalEnhancers {
  constructor(
    private readonly externalContextCreator: ExternalContextCreator,
  ) {}

  /** True when the app has any global (or request-scoped global) enhancer, or when unsure. */
  hasAny(): boolean {
    for (const name of CONTEXT_CREATORS) {
      const creator = this.creator(name);
      if (typeof creator?.getGlobalMetadata !== 'function') return true;
      if (hasEntries(creator.getGlobalMetadata())) return true;
      const config = creator.config;
      if (
        hasEntries(config?.getGlobalRequestGuards?.()) ||
        hasEntries(config?.getGlobalRequestInterceptors?.()) ||
        hasEntries(config?.getGlobalRequestPipes?.()) ||
        hasEntries(config?.getGlobalRequestFilters?.())
      ) {
        return true;
      }
    }
    return false;
  }

  /** True when the app has a global exception filter, or when unsure. */
  hasFilters(): boolean {
    const creator = this.creator('filtersContextCreator');
    return (
      typeof creator?.getGlobalMetadata !== 'function' ||
      hasEntries(creator.getGlobalMetadata()) ||
      hasEntries(creator.config?.getGlobalRequestFilters?.())
    );
  }

  private creator(
    name: (typeof CONTEXT_CREATORS)[number],
  ): EnhancerContextCreator | undefined {
    return (
      this.externalContextCreator as unknown as Record<
        string,
        EnhancerContextCreator | undefined
      >
    )[name];
  }
}
