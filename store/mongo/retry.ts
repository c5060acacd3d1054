import { setTimeout as sleep } from 'node:timers/promises';
import { isTransientStoreError } from './errors';

export interface StoreRetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** The wait before the second try; each later wait doubles, with jitter so that racing writers part. */
  baseDelayMs?: number;
}

/**
 * Runs a store operation again when it fails with a transient error (SQLite busy, a write conflict) after
 * a short back-off; other errors, and the last transient one, are thrown as they are. Only for operations
 * that a transient error leaves undone, so that running them again is safe.
 */
export async function withStoreRetry<T>(operation: () => Promise<T>, options: StoreRetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransientStoreError(error)) throw error;
      await sleep(baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
