import { createLifecycleActivities } from '../../activities/lifecycle';
import type { Fact, LifecycleActivities } from '../../activities/lifecycle-types';
import { createEntryStore } from '../../shared/store/entries';
import { createFactStore, type FactStore } from '../../shared/store/facts';
import { openTestDatabase } from '../helpers/servers';

/** Facts (spec 6) against the real FerretDB: insert-only, each id stored once whatever the retries and races. */
describe('facts store and the recordFacts activity', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let facts: FactStore;
  let lifecycle: LifecycleActivities;

  beforeAll(async () => {
    db = await openTestDatabase();
    facts = createFactStore(db.models);
    lifecycle = createLifecycleActivities({ entries: createEntryStore(db.models), facts });
  });
  afterAll(async () => {
    await db?.close();
  });

  const t0 = Date.parse('2026-03-01T10:00:00.000Z');

  /** Fact number `n` of a run: ids `${runId}:${n}`, one second apart. */
  function fact(runId: string, n: number, extra: Partial<Fact> = {}): Fact {
    return {
      id: `${runId}:${n}`,
      kind: 'node_entered',
      journeyId: 'j-facts',
      version: 1,
      instanceId: `journey:j-facts:user:${runId}`,
      runId,
      userId: runId,
      nodeId: `node-${n}`,
      at: new Date(t0 + n * 1000).toISOString(),
      ...extra,
    };
  }

  async function storedIds(instanceId: string): Promise<string[]> {
    return (await facts.list({ journeyId: 'j-facts', instanceId })).map((f) => f.id);
  }

  it('stores every field of a fact and answers it back', async () => {
    const full = fact('full', 1, { kind: 'moved', connector: 'yes', outcome: 'sent', reason: 'goal', goalId: 'purchase', path: 'discount' });
    await lifecycle.recordFacts([full]);
    expect(await facts.list({ journeyId: 'j-facts', instanceId: full.instanceId })).toEqual([full]);
  });

  it('stores duplicates inside a batch once', async () => {
    const batch = [fact('dup', 1), fact('dup', 2), fact('dup', 1), fact('dup', 3), fact('dup', 2)];
    await lifecycle.recordFacts(batch);
    expect(await storedIds('journey:j-facts:user:dup')).toEqual(['dup:1', 'dup:2', 'dup:3']);
  });

  it('stores a retried batch once, and the new facts of a longer retry', async () => {
    const batch = [fact('retry', 1), fact('retry', 2), fact('retry', 3)];
    await lifecycle.recordFacts(batch);
    await lifecycle.recordFacts(batch);
    await lifecycle.recordFacts([...batch, fact('retry', 4)]);
    expect(await storedIds('journey:j-facts:user:retry')).toEqual(['retry:1', 'retry:2', 'retry:3', 'retry:4']);
  });

  it('stores each id once when overlapping batches are recorded concurrently', async () => {
    // 12 batches of 30 facts over 60 ids, each id in 6 batches.
    const batches = Array.from({ length: 12 }, (_, b) => Array.from({ length: 30 }, (_, i) => fact('race', ((b * 5 + i) % 60) + 1)));
    await Promise.all(batches.map((batch) => lifecycle.recordFacts(batch)));
    const ids = await storedIds('journey:j-facts:user:race');
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(await db.connection.collection('facts').countDocuments({ runId: 'race' })).toBe(60);
  });

  it('lists by journey, version, kind and time range, in time order', async () => {
    await lifecycle.recordFacts([
      fact('list', 3, { version: 2, kind: 'exited', reason: 'goal' }),
      fact('list', 1, { version: 2, kind: 'entered' }),
      fact('list', 2, { version: 2 }),
      fact('list', 4, { version: 3, kind: 'entered' }),
    ]);
    expect((await facts.list({ journeyId: 'j-facts', version: 2 })).map((f) => f.id)).toEqual(['list:1', 'list:2', 'list:3']);
    expect((await facts.list({ journeyId: 'j-facts', kind: 'entered', version: 3 })).map((f) => f.id)).toEqual(['list:4']);
    const range = await facts.list({ journeyId: 'j-facts', version: 2, from: new Date(t0 + 2000), to: new Date(t0 + 3000) });
    expect(range.map((f) => f.id)).toEqual(['list:2']);
    expect(await facts.list({ journeyId: 'j-nothing' })).toEqual([]);
  });

  it('accepts an empty batch, and refuses a malformed fact instead of dropping it silently', async () => {
    await expect(lifecycle.recordFacts([])).resolves.toBeUndefined();
    const broken = { ...fact('broken', 1), journeyId: undefined } as unknown as Fact;
    await expect(lifecycle.recordFacts([broken])).rejects.toThrow();
  });

  it('has the unique id index and the report index', async () => {
    const indexes = await db.connection.collection('facts').indexes();
    expect(indexes.find((index) => index.unique)?.key).toEqual({ id: 1 });
    expect(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ journeyId: 1, version: 1, kind: 1, at: 1 }))).toBe(true);
  });
});
