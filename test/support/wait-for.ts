/**
 * Polls `condition` every 5 ms until it returns true; rejects naming `what` after `timeoutMs`.
 *
 * The one polling helper of the test suites, for conditions that are observed rather than
 * awaited (an event counter, a map entry, a log line). Prefer awaiting an event where the code
 * under test offers one.
 */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 5_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
