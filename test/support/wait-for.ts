/** Options of {@link waitFor} beyond the timeout and the description. */
export interface WaitForOptions {
  /**
   * Milliseconds between two checks (default 5). Use more (e.g. 100) when a check costs
   * something, such as an HTTP request to a Mesos master or agent.
   */
  intervalMs?: number;
}

/**
 * Polls `condition` until it returns (or resolves to) true; rejects naming `what` after
 * `timeoutMs`. A condition that throws (or rejects) ends the wait with its error at once.
 *
 * The one polling helper of the test suites, for conditions that are observed rather than
 * awaited (an event counter, a map entry, a log line, the state a cluster reports). Prefer
 * awaiting an event where the code under test offers one; the timeout is a safety net that
 * turns a hang into a failure, so make it generous rather than a measure of speed.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'the condition',
  { intervalMs = 5 }: WaitForOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
