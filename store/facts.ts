import type { Fact, FactKind } from '../domain/facts';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

/**
 * The facts of spec section 6, kept as a journal of immutable batches (the facts of one step of one instance).
 * A batch is stored under `_id` `{stripe}:{n}`: the stripe is a hash of the instance id, and n counts 1, 2, 3...
 * within the stripe with no gaps (a writer takes n only once n - 1 is taken), so the report folder reads new
 * batches by `_id` alone, the one lookup FerretDB answers from an index. Within a process, each stripe takes one
 * append at a time and an append goes to the least busy stripe, so writers of one process never race for a
 * position (processes still may: the loser moves on). `batch` (the id of the batch's first fact) is unique: a
 * retried batch, or the same batch written by two attempts at once, is stored once.
 * Nothing is ever updated, so FerretDB's lack of isolation between concurrent updates does not matter.
 */

export const FACT_STRIPES = 16;

export interface FactFilter {
  journeyId: string;
  version?: number;
  instanceId?: string;
  kind?: FactKind;
  /** Facts at or after this instant. */
  from?: Date;
  /** Facts strictly before this instant. */
  to?: Date;
}

/** A journal batch as stored. */
export interface FactBatch {
  _id: string;
  batch: string;
  journeyId: string;
  version: number;
  instanceId: string;
  userId: string;
  facts: Fact[];
}

export function journalId(stripe: number, n: number): string {
  return `${stripe}:${n}`;
}

/** The fields every fact of a batch shares are stored once on the batch. */
type StoredFact = Omit<Fact, 'journeyId' | 'version' | 'instanceId' | 'userId'>;

function stored(fact: Fact): StoredFact {
  const { journeyId: _j, version: _v, instanceId: _i, userId: _u, ...rest } = fact;
  return rest;
}

function factsOf(doc: Record<string, unknown>): Fact[] {
  const shared = {
    journeyId: doc.journeyId as string,
    version: doc.version as number,
    instanceId: doc.instanceId as string,
    userId: doc.userId as string,
  };
  return (doc.facts as StoredFact[]).map((fact) => ({ ...fact, ...shared }) as Fact);
}

export function createFactStore(models: Pick<Models, 'facts' | 'reportState'>) {
  const journal = models.facts;
  /** Per stripe, the position this process expects to be free next (a hint: collisions move it on). */
  const heads = new Map<number, number>();
  /** Per stripe, this process's appends in progress or waiting (one runs at a time). */
  const lanes = Array.from({ length: FACT_STRIPES }, () => ({ tail: Promise.resolve(), waiting: 0 }));
  let nextLane = 0;

  /** Runs `append` on the least busy stripe of this process (round robin among equals), after its earlier appends. */
  async function inLane(append: (stripe: number) => Promise<void>): Promise<void> {
    let stripe = nextLane;
    for (let i = 0; i < FACT_STRIPES; i++) {
      const candidate = (nextLane + i) % FACT_STRIPES;
      if (lanes[candidate]!.waiting < lanes[stripe]!.waiting) stripe = candidate;
    }
    nextLane = (stripe + 1) % FACT_STRIPES;
    const lane = lanes[stripe]!;
    lane.waiting++;
    const run = lane.tail.then(() => append(stripe));
    lane.tail = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      await run;
    } finally {
      lane.waiting--;
    }
  }

  const taken = async (stripe: number, n: number) => (await journal.exists({ _id: journalId(stripe, n) })) !== null;

  /** The first free position from `from` on, given that positions below `from` are taken (gallop, then bisect). */
  async function firstFree(stripe: number, from: number): Promise<number> {
    if (!(await taken(stripe, from))) return from;
    let low = from; // taken
    let step = 1;
    let high = from + step;
    while (await taken(stripe, high)) {
      low = high;
      step *= 2;
      high = low + step;
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await taken(stripe, middle)) low = middle;
      else high = middle;
    }
    return high;
  }

  async function startingPoint(stripe: number): Promise<number> {
    const known = heads.get(stripe);
    if (known !== undefined) return known;
    const state = await models.reportState.findById('journal').lean();
    const folded = (state?.value as Record<string, number> | undefined)?.[String(stripe)] ?? 0;
    return firstFree(stripe, folded + 1);
  }

  /** Appends one batch (all facts of one instance) to the journal, once. */
  function append(facts: readonly Fact[]): Promise<void> {
    return inLane((stripe) => appendTo(stripe, facts));
  }

  async function appendTo(stripe: number, facts: readonly Fact[]): Promise<void> {
    const first = facts[0]!;
    const doc = {
      batch: first.id,
      journeyId: first.journeyId,
      version: first.version,
      instanceId: first.instanceId,
      userId: first.userId,
      facts: facts.map(stored),
    };
    let n = await startingPoint(stripe);
    for (;;) {
      try {
        await journal.create({ _id: journalId(stripe, n), ...doc });
        heads.set(stripe, n + 1);
        return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      // Either the position is taken (by another writer, or by this batch in an earlier attempt), or the
      // batch is stored already elsewhere: the document at n tells which.
      const there = await journal.findById(journalId(stripe, n), { batch: 1, facts: 1 }).lean();
      if (there === null || there.batch === doc.batch) {
        // Stored before, perhaps with fewer facts: a batch handed to an activity that failed comes back with
        // the facts added since. Those are appended as a batch of their own (its first fact names it).
        const stored = there ?? (await journal.findOne({ batch: doc.batch }, { facts: 1 }).lean());
        const missing = stored ? remainder(facts, stored.facts as StoredFact[]) : [];
        if (missing.length > 0) await appendTo(stripe, missing);
        return;
      }
      n = await firstFree(stripe, n + 1);
      heads.set(stripe, n);
    }
  }

  return {
    /**
     * Stores the facts of one step: one journal batch per instance (a workflow's batch is deterministic, so a
     * retry or replay sends the same batch, stored once). Other errors are thrown.
     */
    async record(batch: readonly Fact[]): Promise<void> {
      const byInstance = new Map<string, Fact[]>();
      for (const fact of batch) {
        const group = byInstance.get(fact.instanceId);
        if (group) group.push(fact);
        else byInstance.set(fact.instanceId, [fact]);
      }
      for (const group of byInstance.values()) await append(dedupe(group));
    },

    /** Stores independent facts (provider events, which are redelivered in any grouping): each its own batch. */
    async recordEach(facts: readonly Fact[]): Promise<void> {
      await Promise.all(facts.map((fact) => append([fact])));
    },

    /** Facts of a journey (optionally one version, instance, kind and time range), in time order. Reads every batch. */
    async list(filter: FactFilter): Promise<Fact[]> {
      const query: Record<string, unknown> = { journeyId: filter.journeyId };
      if (filter.version !== undefined) query.version = filter.version;
      if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
      const docs = await journal.find(query).lean();
      const from = filter.from?.getTime() ?? -Infinity;
      const to = filter.to?.getTime() ?? Infinity;
      return docs
        .flatMap((doc) => factsOf(doc as unknown as Record<string, unknown>))
        .filter(
          (fact) => (filter.kind === undefined || fact.kind === filter.kind) && Date.parse(fact.at) >= from && Date.parse(fact.at) < to,
        )
        .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id, undefined, { numeric: true }));
    },

    /** Every batch of a journey with its journal position (reads the whole journal: for rebuilds). */
    async batchesOf(journeyId: string): Promise<Array<{ stripe: number; n: number; batch: FactBatch }>> {
      const docs = await journal.find({ journeyId }).lean();
      return docs.map((doc) => {
        const [stripe, n] = doc._id.split(':').map(Number) as [number, number];
        return { stripe, n, batch: { ...(doc as unknown as FactBatch), facts: factsOf(doc as unknown as Record<string, unknown>) } };
      });
    },

    /** The batch at a journal position, or null when none is stored there (yet). */
    async at(stripe: number, n: number): Promise<FactBatch | null> {
      const doc = await journal.findById(journalId(stripe, n)).lean();
      return doc === null ? null : { ...(doc as unknown as FactBatch), facts: factsOf(doc as unknown as Record<string, unknown>) };
    },
  };
}

/** The facts of a batch that a stored batch with the same first fact does not hold. */
function remainder(facts: readonly Fact[], stored: readonly StoredFact[]): Fact[] {
  const ids = new Set(stored.map((fact) => fact.id));
  return facts.filter((fact) => !ids.has(fact.id));
}

/** A fact listed twice in one batch is stored once. */
function dedupe(facts: Fact[]): Fact[] {
  const seen = new Set<string>();
  return facts.filter((fact) => !seen.has(fact.id) && seen.add(fact.id));
}

export type FactStore = ReturnType<typeof createFactStore>;
