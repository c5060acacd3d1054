import { isStoreUnreachable, isTransientStoreError } from '../../store/mongo/errors';
import { withStoreRetry } from '../../store/mongo/retry';

/** FerretDB's answer to a write that met a locked SQLite database (the error of issue 13). */
const busy = () => Object.assign(new Error('database is locked (5) (SQLITE_BUSY)'), { name: 'MongoServerError', code: 1 });

describe('store error classes', () => {
  it('tells a busy store, an unreachable one and other errors apart', () => {
    expect(isTransientStoreError(busy())).toBe(true);
    expect(
      isTransientStoreError(Object.assign(new Error('bulk write'), { writeErrors: [{ errmsg: 'database is locked (5) (SQLITE_BUSY)' }] })),
    ).toBe(true);
    expect(isTransientStoreError(Object.assign(new Error('WriteConflict'), { code: 112 }))).toBe(true);
    expect(isStoreUnreachable(Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isStoreUnreachable(Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' }))).toBe(true);
    expect(isStoreUnreachable(new Error('wrapped', { cause: Object.assign(new Error('reset'), { name: 'MongoNetworkError' }) }))).toBe(
      true,
    );
    for (const other of [Object.assign(new Error('E11000 duplicate key'), { code: 11000 }), new Error('boom'), undefined, 'text']) {
      expect(isTransientStoreError(other)).toBe(false);
      expect(isStoreUnreachable(other)).toBe(false);
    }
  });
});

describe('withStoreRetry', () => {
  it('runs a busy operation again until it succeeds', async () => {
    let calls = 0;
    const result = await withStoreRetry(
      async () => {
        if (++calls < 3) throw busy();
        return 'done';
      },
      { baseDelayMs: 1 },
    );
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  it('gives up after its attempts with the last error, and never retries other errors', async () => {
    let calls = 0;
    await expect(
      withStoreRetry(
        async () => {
          calls++;
          throw busy();
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toThrow('SQLITE_BUSY');
    expect(calls).toBe(3);
    calls = 0;
    const down = Object.assign(new Error('down'), { name: 'MongoServerSelectionError' });
    await expect(
      withStoreRetry(
        async () => {
          calls++;
          throw down;
        },
        { baseDelayMs: 1 },
      ),
    ).rejects.toBe(down);
    expect(calls).toBe(1);
  });
});
