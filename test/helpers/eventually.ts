/**
 * Retries an assertion until it passes or the time runs out (for eventually consistent reads). The default
 * wait is 30 s: Temporal's visibility (list queries, search attributes) can lag by many seconds on a loaded
 * 2-core machine, and a wait that gives up early fails a correct system.
 */
export async function eventually<T>(assertion: () => Promise<T>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
