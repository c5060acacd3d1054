import { createLifecycleActivities } from '../../activities/lifecycle';
import type { LifecycleActivities } from '../../activities/lifecycle-types';
import type { Fact } from '../../domain/facts';
import { createEntryStore } from '../../store/entries';
import { createFactStore, type FactStore } from '../../store/facts';
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
    const full = fact('full', 1, {
      kind: 'moved',
      connector: 'yes',
      outcome: 'sent',
      reason: 'goal',
      goalId: 'purchase',
      path: 'discount',
    });
    await lifecycle.recordFacts([full]);
    expect(await facts.list({ journeyId: 'j-facts', instanceId: full.instanceId })).toEqual([full]);
  });

  it('stores duplicates inside a batch once', async () => {
    const batch = [fact('dup', 1), fact('dup', 2), fact('dup', 1), fact('dup', 3), fact('dup', 2)];
    await lifecycle.recordFacts(batch);
    expect(await storedIds('journey:j-facts:user:dup')).toEqual(['dup:1', 'dup:2', 'dup:3']);
  });

  it('stores a retried batch once, also when its attempts run at the same time', async () => {
    const batch = [fact('retry', 1), fact('retry', 2), fact('retry', 3)];
    await lifecycle.recordFacts(batch);
    await lifecycle.recordFacts(batch);
    await Promise.all(Array.from({ length: 6 }, () => createFactStore(db.models).record(batch)));
    await lifecycle.recordFacts([fact('retry', 4)]);
    expect(await storedIds('journey:j-facts:user:retry')).toEqual(['retry:1', 'retry:2', 'retry:3', 'retry:4']);
  });

  it('stores the facts added to a batch that comes back (handed to an activity that may have written it), each once', async () => {
    const handed = [fact('back', 1), fact('back', 2)];
    await facts.record(handed);
    // The activity's outcome was lost: the workflow writes the same facts again, with those of the next steps.
    await facts.record([...handed, fact('back', 3), fact('back', 4)]);
    await createFactStore(db.models).record([...handed, fact('back', 3), fact('back', 4), fact('back', 5)]);
    await facts.record([...handed, fact('back', 3)]);
    expect(await storedIds('journey:j-facts:user:back')).toEqual(['back:1', 'back:2', 'back:3', 'back:4', 'back:5']);
  });

  it('numbers the batches of each stripe 1, 2, 3... without gaps when many processes append at once', async () => {
    // 8 writers (as 8 processes: each its own position cache and lanes), 40 concurrent appends each.
    const writers = Array.from({ length: 8 }, () => createFactStore(db.models));
    await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: 40 }, (_, i) => {
          const instanceId = `journey:j-gaps:user:${w}-${i}`;
          return writer.record([{ ...fact(instanceId, 1), journeyId: 'j-gaps', instanceId, runId: instanceId }]);
        }),
      ),
    );
    const stored = await db.models.facts.find({}, { _id: 1, batch: 1 }).lean();
    expect(stored.filter((doc) => doc.batch.startsWith('journey:j-gaps:'))).toHaveLength(320);
    const byStripe = new Map<string, number[]>();
    for (const doc of stored) {
      const [stripe, n] = doc._id.split(':');
      byStripe.set(stripe!, [...(byStripe.get(stripe!) ?? []), Number(n)]);
    }
    for (const positions of byStripe.values()) {
      expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
    }
  });

  it('stores independent facts (provider events) each once, however they are grouped on redelivery', async () => {
    const events = [1, 2, 3].map((n) => fact('events', n, { kind: 'message_event', outcome: 'open' }));
    await facts.recordEach(events);
    await facts.recordEach([events[2]!, events[0]!]);
    expect(await storedIds('journey:j-facts:user:events')).toEqual(['events:1', 'events:2', 'events:3']);
  });

  it('lists by journey, version, kind and time range, in time order', async () => {
    await lifecycle.recordFacts([
      fact('list', 3, { version: 2, kind: 'exited', reason: 'goal' }),
      fact('list', 1, { version: 2, kind: 'entered' }),
      fact('list', 2, { version: 2 }),
      fact('list-v3', 4, { version: 3, kind: 'entered' }),
    ]);
    expect((await facts.list({ journeyId: 'j-facts', version: 2 })).map((f) => f.id)).toEqual(['list:1', 'list:2', 'list:3']);
    expect((await facts.list({ journeyId: 'j-facts', kind: 'entered', version: 3 })).map((f) => f.id)).toEqual(['list-v3:4']);
    const range = await facts.list({ journeyId: 'j-facts', version: 2, from: new Date(t0 + 2000), to: new Date(t0 + 3000) });
    expect(range.map((f) => f.id)).toEqual(['list:2']);
    expect(await facts.list({ journeyId: 'j-nothing' })).toEqual([]);
  });

  it('accepts an empty batch, and refuses a malformed fact instead of dropping it silently', async () => {
    await expect(lifecycle.recordFacts([])).resolves.toBeUndefined();
    const broken = { ...fact('broken', 1), journeyId: undefined } as unknown as Fact;
    await expect(lifecycle.recordFacts([broken])).rejects.toThrow();
  });

  it('has the unique batch index', async () => {
    const indexes = await db.connection.collection('fact_batches').indexes();
    expect(indexes.find((index) => index.unique)?.key).toEqual({ batch: 1 });
  });
});
