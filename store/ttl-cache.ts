/**
 * How stale the send path's cached reads may be (version state, message content, delivery settings, manual
 * experiment weights): a change made in another process reaches sends within this bound. A change made
 * through the same store object is seen at once (the store drops its entry when it commits).
 */
export const SEND_PATH_STALENESS_MS = 2_000;

/**
 * A small in-process cache of loads: each key is loaded once per `ttlMs` (concurrent callers share one load),
 * a failed load is forgotten at once, and `delete` drops an entry so the next call reads the store again.
 * Time is the monotonic clock, so tests that move a fake wall clock do not expire entries.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    const entry = { value, expiresAt: now + this.ttlMs };
    // A failed load is not kept; compare first, so a newer entry is never dropped by an older failure.
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    if (!hit && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.delete(key); // re-inserted last, so eviction drops the least recently loaded first
    this.entries.set(key, entry);
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/**
 * A table built from the store (the event and profile-goal routes), rebuilt when older than `ttlMs` or when
 * `generation()` moved since its build: a publish or stop made through this process's journey store is routed
 * by at once, one made in another process within `ttlMs`. Concurrent callers share one build; a failed build
 * is forgotten.
 */
export function rebuiltTable<T>(
  build: () => Promise<T>,
  options: { ttlMs: number; clock?: () => number; generation?: () => number },
): () => Promise<T> {
  const clock = options.clock ?? Date.now;
  const generation = options.generation ?? (() => 0);
  let table: { builtAt: number; generation: number; value: Promise<T> } | undefined;
  return () => {
    if (!table || clock() - table.builtAt >= options.ttlMs || generation() !== table.generation) {
      const built = { builtAt: clock(), generation: generation(), value: build() };
      built.value.catch(() => {
        if (table === built) table = undefined;
      });
      table = built;
    }
    return table.value;
  };
}
