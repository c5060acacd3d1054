import type { Fact } from '../domain/facts';
import type { Models } from './mongo/models';
import { addFacts, dayOf, type DayCounters } from '../domain/reports/counters';
import type { ReportReader, VersionDay } from '../domain/reports/reader';
import { FACT_STRIPES, type FactBatch, type FactStore } from './facts';

/**
 * The report counters: the fact journal folded into one document per (journey, version, UTC month), read by
 * `_id`. One folder writes them (the reports service workflow), so a read-modify-replace is safe; each
 * document remembers the last journal position of each stripe it contains (`applied`), so folding a batch
 * again after a crash counts it once. Readers add the batches not folded yet, so answers are always complete.
 */

const JOURNAL_STATE = 'journal';
const monthsStateId = (journeyId: string) => `months:${journeyId}`;
const counterId = (journeyId: string, version: number, month: string) => `${journeyId}:${version}:${month}`;

type Positions = Record<string, number>;

interface CounterDoc {
  journeyId: string;
  version: number;
  month: string;
  /** Day of month (`DD`) -> counters. */
  days: Record<string, DayCounters>;
  applied: Positions;
}

/** Folded batches of one counter document, waiting to be written. */
interface Pending {
  doc: CounterDoc;
  changed: boolean;
}

export interface FoldResult {
  /** Batches read from the journal in this pass. */
  batches: number;
  /** True when some stripe had more than the pass could take. */
  more: boolean;
}

export function createReportCounters(models: Pick<Models, 'reportCounters' | 'reportState'>, facts: Pick<FactStore, 'at' | 'batchesOf'>) {
  async function positions(): Promise<Positions> {
    const state = await models.reportState.findById(JOURNAL_STATE).lean();
    return { ...((state?.value as Positions | undefined) ?? {}) };
  }

  /** The batches after `from` in one stripe, in order, up to the first gap (not written yet) or `limit`. */
  async function batchesAfter(stripe: number, from: number, limit: number): Promise<Array<{ n: number; batch: FactBatch }>> {
    const found: Array<{ n: number; batch: FactBatch }> = [];
    for (let n = from + 1; found.length < limit; n++) {
      const batch = await facts.at(stripe, n);
      if (!batch) break;
      found.push({ n, batch });
    }
    return found;
  }

  async function journalTail(from: Positions, limit: number) {
    const stripes = Array.from({ length: FACT_STRIPES }, (_, stripe) => stripe);
    return Promise.all(stripes.map(async (stripe) => ({ stripe, entries: await batchesAfter(stripe, from[stripe] ?? 0, limit) })));
  }

  /**
   * Journal batches past the folded positions that this process's readers have read already. A position is
   * written once and a batch never changes, so a batch read stays valid until the folder folds it (then it
   * is dropped): each report reads only the batches written since the previous one, not the whole tail again.
   */
  const unfolded = Array.from({ length: FACT_STRIPES }, () => new Map<number, FactBatch>());

  /** Every batch after `from`, per stripe up to its first gap: the ones read before, then the new ones. */
  async function readerTail(from: Positions) {
    return Promise.all(
      unfolded.map(async (known, stripe) => {
        const start = from[stripe] ?? 0;
        for (const n of known.keys()) if (n <= start) known.delete(n);
        const entries: Array<{ n: number; batch: FactBatch }> = [];
        for (let n = start + 1; ; n++) {
          let batch = known.get(n) ?? null;
          if (!batch) {
            batch = await facts.at(stripe, n);
            if (!batch) break;
            known.set(n, batch);
          }
          entries.push({ n, batch });
        }
        return { stripe, entries };
      }),
    );
  }

  async function loadDoc(journeyId: string, version: number, month: string): Promise<CounterDoc> {
    const doc = await models.reportCounters.findById(counterId(journeyId, version, month)).lean();
    if (!doc) return { journeyId, version, month, days: {}, applied: {} };
    return { journeyId, version, month, days: doc.days as CounterDoc['days'], applied: doc.applied as Positions };
  }

  /** Adds a batch's facts to the documents of their months, where the document does not hold it yet. */
  async function apply(
    docs: Map<string, Pending>,
    load: (journeyId: string, version: number, month: string) => Promise<CounterDoc>,
    stripe: number,
    n: number,
    batch: FactBatch,
  ): Promise<void> {
    const byMonth = new Map<string, Fact[]>();
    for (const fact of batch.facts) {
      const month = dayOf(fact.at).slice(0, 7);
      byMonth.set(month, [...(byMonth.get(month) ?? []), fact]);
    }
    for (const [month, monthFacts] of byMonth) {
      const id = counterId(batch.journeyId, batch.version, month);
      let pending = docs.get(id);
      if (!pending) docs.set(id, (pending = { doc: await load(batch.journeyId, batch.version, month), changed: false }));
      const { doc } = pending;
      if ((doc.applied[stripe] ?? 0) >= n) continue;
      const days = new Map(Object.entries(doc.days).map(([dd, counters]) => [`${month}-${dd}`, counters]));
      addFacts(days, monthFacts);
      doc.days = Object.fromEntries([...days].map(([day, counters]) => [day.slice(8), counters]));
      doc.applied[stripe] = n;
      pending.changed = true;
    }
  }

  const reader: ReportReader = {
    async days(journeyId, versions) {
      const wanted = new Set(versions);
      // Order matters: journal position, then the month index, then the documents, then the tail (see fold).
      const from = await positions();
      const index = await models.reportState.findById(monthsStateId(journeyId)).lean();
      const months = Object.keys((index?.value as Record<string, true> | undefined) ?? {})
        .map((key) => ({ version: Number(key.split(':')[0]), month: key.split(':')[1]! }))
        .filter(({ version }) => wanted.has(version));
      const docs = new Map<string, Pending>();
      await Promise.all(
        months.map(async ({ version, month }) => {
          docs.set(counterId(journeyId, version, month), { doc: await loadDoc(journeyId, version, month), changed: false });
        }),
      );
      const fresh = async (j: string, v: number, month: string): Promise<CounterDoc> => ({
        journeyId: j,
        version: v,
        month,
        days: {},
        applied: {},
      });
      for (const { stripe, entries } of await readerTail(from)) {
        for (const { n, batch } of entries) {
          if (batch.journeyId === journeyId && wanted.has(batch.version)) await apply(docs, fresh, stripe, n, batch);
        }
      }
      const result: VersionDay[] = [];
      for (const { doc } of docs.values()) {
        for (const [dd, counters] of Object.entries(doc.days)) result.push({ version: doc.version, day: `${doc.month}-${dd}`, counters });
      }
      return result.sort((a, b) => a.version - b.version || a.day.localeCompare(b.day));
    },

    async allTime(journeyId, version) {
      const total: DayCounters = {};
      for (const { counters } of await this.days(journeyId, [version])) {
        for (const [key, count] of Object.entries(counters)) total[key] = (total[key] ?? 0) + count;
      }
      return total;
    },
  };

  return {
    reader,
    rebuild,

    /**
     * One pass of the folder (the only writer): reads up to `limit` new batches per stripe, adds them to the
     * counter documents, writes those, then the month index, then the journal positions. A crash anywhere
     * repeats the pass; documents skip the batches they hold already.
     */
    async fold(limit = 500): Promise<FoldResult> {
      const from = await positions();
      const tail = await journalTail(from, limit);
      const docs = new Map<string, Pending>();
      for (const { stripe, entries } of tail) {
        for (const { n, batch } of entries) await apply(docs, loadDoc, stripe, n, batch);
      }
      const changed = [...docs.values()].filter((pending) => pending.changed).map((pending) => pending.doc);
      await Promise.all(
        changed.map((doc) =>
          models.reportCounters.replaceOne({ _id: counterId(doc.journeyId, doc.version, doc.month) }, doc, { upsert: true }),
        ),
      );
      await indexMonths(changed);
      const batches = tail.reduce((sum, { entries }) => sum + entries.length, 0);
      if (batches > 0) {
        const next = { ...from };
        for (const { stripe, entries } of tail) if (entries.length > 0) next[stripe] = entries[entries.length - 1]!.n;
        await models.reportState.replaceOne({ _id: JOURNAL_STATE }, { value: next, at: new Date() }, { upsert: true });
      }
      return { batches, more: tail.some(({ entries }) => entries.length >= limit) };
    },
  };

  /**
   * Recomputes a journey's counters from its facts alone (after a counting bug, say): every journal batch up
   * to the folded positions, counted afresh, replaces the journey's counter documents. Run by the folder (one
   * writer); batches after those positions are folded as usual by the next passes.
   */
  async function rebuild(journeyId: string): Promise<{ batches: number }> {
    const upTo = await positions();
    const docs = new Map<string, Pending>();
    const fresh = async (j: string, v: number, month: string): Promise<CounterDoc> => ({
      journeyId: j,
      version: v,
      month,
      days: {},
      applied: {},
    });
    let counted = 0;
    for (const { stripe, n, batch } of await facts.batchesOf(journeyId)) {
      if (n > (upTo[stripe] ?? 0)) continue;
      await apply(docs, fresh, stripe, n, batch);
      counted++;
    }
    const rebuilt = [...docs.values()].map(({ doc }) => ({ ...doc, applied: { ...upTo } }));
    const index = await models.reportState.findById(monthsStateId(journeyId)).lean();
    const stale = Object.keys((index?.value as Record<string, true> | undefined) ?? {}).filter(
      (key) => !rebuilt.some((doc) => `${doc.version}:${doc.month}` === key),
    );
    await Promise.all([
      ...rebuilt.map((doc) =>
        models.reportCounters.replaceOne({ _id: counterId(doc.journeyId, doc.version, doc.month) }, doc, { upsert: true }),
      ),
      ...stale.map((key) => models.reportCounters.deleteOne({ _id: counterId(journeyId, Number(key.split(':')[0]), key.split(':')[1]!) })),
    ]);
    await models.reportState.replaceOne(
      { _id: monthsStateId(journeyId) },
      { value: Object.fromEntries(rebuilt.map((doc) => [`${doc.version}:${doc.month}`, true])), at: new Date() },
      { upsert: true },
    );
    return { batches: counted };
  }

  /** Records the (version, month) documents of each journey, so readers find them by `_id`. */
  async function indexMonths(docs: CounterDoc[]): Promise<void> {
    const byJourney = new Map<string, string[]>();
    for (const doc of docs) byJourney.set(doc.journeyId, [...(byJourney.get(doc.journeyId) ?? []), `${doc.version}:${doc.month}`]);
    await Promise.all(
      [...byJourney].map(async ([journeyId, keys]) => {
        const index = await models.reportState.findById(monthsStateId(journeyId)).lean();
        const known = { ...((index?.value as Record<string, true> | undefined) ?? {}) };
        if (keys.every((key) => known[key])) return;
        for (const key of keys) known[key] = true;
        await models.reportState.replaceOne({ _id: monthsStateId(journeyId) }, { value: known, at: new Date() }, { upsert: true });
      }),
    );
  }
}

export type ReportCounters = ReturnType<typeof createReportCounters>;
