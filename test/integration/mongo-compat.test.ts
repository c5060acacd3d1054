import { Schema } from 'mongoose';
import { isDuplicateKey } from '../../store/mongo/errors';
import { openTestDatabase } from '../helpers/servers';

/**
 * The Mongo subset the architecture allows, proven against FerretDB (the embedded default) through mongoose.
 * Anything the engine relies on and FerretDB lacks would fail here first.
 */
describe('Mongo subset on FerretDB', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  const counterSchema = new Schema(
    { journeyId: String, day: String, node: String, count: { type: Number, default: 0 }, firstSeen: Date },
    { versionKey: false },
  );
  counterSchema.index({ journeyId: 1, day: 1, node: 1 }, { unique: true });
  counterSchema.index({ journeyId: 1, count: -1 });

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const counters = () => db.connection.model('Counter', counterSchema, 'compat_counters');

  it('creates unique and compound indexes', async () => {
    await counters().createIndexes();
    const indexes = await counters().collection.indexes();
    const unique = indexes.find((index) => index.unique);
    expect(unique?.key).toEqual({ journeyId: 1, day: 1, node: 1 });
    expect(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ journeyId: 1, count: -1 }))).toBe(true);
  });

  it('answers error 11000 on a duplicate key', async () => {
    await counters().create({ journeyId: 'j', day: '2026-01-01', node: 'a' });
    const duplicate = await counters()
      .create({ journeyId: 'j', day: '2026-01-01', node: 'a' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isDuplicateKey(duplicate)).toBe(true);
  });

  it('increments with findOneAndUpdate, upsert and $setOnInsert', async () => {
    const key = { journeyId: 'j', day: '2026-01-02', node: 'b' };
    const first = await counters()
      .findOneAndUpdate(key, { $inc: { count: 1 }, $setOnInsert: { firstSeen: new Date(0) } }, { upsert: true, new: true })
      .lean();
    const second = await counters()
      .findOneAndUpdate(key, { $inc: { count: 2 }, $setOnInsert: { firstSeen: new Date(1) } }, { upsert: true, new: true })
      .lean();
    expect(first?.count).toBe(1);
    expect(second?.count).toBe(3);
    expect(second?.firstSeen?.getTime()).toBe(0);
  });

  it('lets exactly one of many concurrent inserts of the same unique key win (the commit point the stores use)', async () => {
    const commits = db.connection.model('Commit', new Schema({ key: String, revision: Number }, { versionKey: false }), 'compat_commits');
    commits.schema.index({ key: 1, revision: 1 }, { unique: true });
    await commits.createIndexes();
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          commits.create({ key: `k${round}`, revision: 1 }).then(
            () => 'won',
            (error: unknown) => (isDuplicateKey(error) ? 'lost' : error),
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'lost')).toHaveLength(7);
    }
  });

  it('sorts, skips and limits', async () => {
    await counters().insertMany(['c', 'd', 'e', 'f'].map((node, i) => ({ journeyId: 'sorted', day: 'd', node, count: i })));
    const page = await counters().find({ journeyId: 'sorted' }).sort({ count: -1 }).skip(1).limit(2).lean();
    expect(page.map((doc) => doc.node)).toEqual(['e', 'd']);
  });

  it('aggregates with $match, $group, $sort, $project and $count', async () => {
    // FerretDB v1 computes only the first accumulator of a $group correctly: one accumulator per $group.
    // $project takes inclusions and exclusions only (no computed fields on FerretDB v1).
    const totals = await counters().aggregate<{ _id: string; total: number }>([
      { $match: { journeyId: { $in: ['j', 'sorted'] } } },
      { $group: { _id: '$journeyId', total: { $sum: '$count' } } },
      { $sort: { _id: 1 } },
      { $project: { _id: 1, total: 1 } },
    ]);
    expect(totals).toEqual([
      { _id: 'j', total: 3 },
      { _id: 'sorted', total: 6 },
    ]);
    const perNode = await counters().aggregate<{ _id: { journeyId: string }; n: number }>([
      { $match: { journeyId: 'sorted' } },
      { $group: { _id: { journeyId: '$journeyId' }, n: { $sum: 1 } } },
    ]);
    expect(perNode).toEqual([{ _id: { journeyId: 'sorted' }, n: 4 }]);
    const counted = await counters().aggregate([{ $match: { journeyId: 'sorted', count: { $gte: 2 } } }, { $count: 'n' }]);
    expect(counted).toEqual([{ n: 2 }]);
  });

  it('has no positional "$" update (why the journey store replaces its version summary whole)', async () => {
    const docs = db.connection.model(
      'Arr',
      new Schema({ _id: String, items: [{ k: Number, v: String }] }, { versionKey: false }),
      'compat_arr',
    );
    await docs.create({ _id: 'a', items: [{ k: 1, v: 'x' }] });
    await expect(docs.updateOne({ _id: 'a', 'items.k': 1 }, { $set: { 'items.$.v': 'y' } })).rejects.toThrow();
  });

  it("finds a document by `_id` through an index (the launcher adds the one FerretDB's own query can use)", async () => {
    const lookups = db.connection.collection<{ _id: string; n: number }>('compat_lookups');
    // Large enough that SQLite's planner prefers the index to a scan.
    await lookups.insertMany(Array.from({ length: 20_000 }, (_, n) => ({ _id: `doc-${n}`, n })));
    const plan = async () =>
      JSON.stringify(((await lookups.find({ _id: 'doc-19999' }).explain()) as { queryPlanner?: unknown }).queryPlanner);
    // The launcher checks for new collections every second.
    let found = await plan();
    for (let tries = 0; tries < 50 && !found.includes('_id_lookup'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A query (unlike EXPLAIN) makes FerretDB's SQLite connections notice the new index.
      await Promise.all(Array.from({ length: 8 }, () => lookups.findOne({ _id: 'doc-1' })));
      found = await plan();
    }
    expect(found).toMatch(/SEARCH .*_id_lookup/);
    expect(await lookups.findOne({ _id: 'doc-19999' })).toEqual({ _id: 'doc-19999', n: 19_999 });
  });
});
