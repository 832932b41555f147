import { describe, it } from '@jest/globals';

/** Whether a real part a suite needs (a peer, Mesos, ZooKeeper) is there, and if not, why. */
export type Availability =
  | { ok: true }
  | {
      ok: false;
      /** Why it is missing, e.g. `LIBPROCESS_PEER is not set`. */
      reason: string;
      /** The command that installs it. */
      installHint?: string;
    };

export interface GateOptions {
  /** Names the real part in the skip line and the failure, e.g. `C++ libprocess peer`. */
  what: string;
  /**
   * The environment variable that makes a missing part a failure instead of a skip (set by
   * .ci/run, where every real part is installed), e.g. `LIBPROCESS_INTEROP_REQUIRED`.
   */
  requiredBy: string;
}

/**
 * Registers `body` as `describe(title)` when the real part is available.
 *
 * When it is not, `body` is not registered. With `<requiredBy>=1` one test fails naming what is
 * missing and how to install it. Otherwise the block is a `describe.skip` whose single test says
 * the same, so Jest reports it as skipped (never as a pass), and one line goes to stderr.
 */
export function describeRequiring(
  title: string,
  availability: Availability,
  options: GateOptions,
  body: () => void,
): void {
  if (availability.ok) {
    describe(title, body);
    return;
  }
  const install = availability.installHint
    ? `; install it with: ${availability.installHint}`
    : '';
  const message = `${options.what} not available (${availability.reason})${install}`;
  if (process.env[options.requiredBy] === '1') {
    describe(title, () => {
      it(`${options.what} is available (${options.requiredBy}=1)`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  process.stderr.write(`[skipped] ${title}: ${message}\n`);
  describe.skip(title, () => {
    it(`skipped: ${message}`, () => undefined);
  });
}
