/**
 * Waiting for a condition instead of sleeping a fixed time: a test that sleeps either wastes time or
 * fails on a slow machine. Shared by every test file that waits for something to happen.
 */

/** Polls `fn` until it returns a truthy value (returned) or the time runs out (then throws naming `what`). */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Lets every pending callback run: a few turns of the event loop. For asserting that something did
 * NOT happen (no frame after close): anything already scheduled has had its chance.
 */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
