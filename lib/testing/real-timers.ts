/**
 * The timer functions as they were when the testing entry point was loaded, before a test
 * installs Jest's or Vitest's fake timers: expectation timeouts are real-time guards, so a test
 * that fakes time to drive its processes' `delay`s does not also freeze its own deadlines.
 */
export const realSetTimeout = globalThis.setTimeout;
export const realClearTimeout = globalThis.clearTimeout;
