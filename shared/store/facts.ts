import type { Fact, FactKind } from '../../activities/lifecycle-types';
import type { Models } from '../mongo/models';

/**
 * The facts of spec section 6: every step of every instance as an immutable document, inserted once under
 * its unique id (`${runId}:${sequence}`, stable across retries and replays). Reports are functions of these.
 * Nothing here updates a document, so FerretDB's lack of isolation between concurrent updates does not matter;
 * the unique index is what makes a retried or concurrent batch count once.
 */

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

interface BulkWriteErrorLike {
  writeErrors?: unknown[] | unknown;
  code?: unknown;
}

/** The code of one write error, whether the driver's WriteError or mongoose's `{ err, index }` wrapper. */
function writeErrorCode(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  const direct = (error as { code?: unknown }).code;
  if (direct !== undefined) return direct;
  return (error as { err?: { code?: unknown } }).err?.code;
}

/** True when every failure of an unordered insert is a duplicate key (the fact was stored already). */
export function onlyDuplicates(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { writeErrors, code } = error as BulkWriteErrorLike;
  if (writeErrors === undefined) return code === 11000;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every((writeError) => writeErrorCode(writeError) === 11000);
}

export function createFactStore(models: Pick<Models, 'facts'>) {
  const facts = models.facts;

  function toFact(doc: Record<string, unknown>): Fact {
    const fact: Fact = {
      id: doc.id as string,
      kind: doc.kind as FactKind,
      journeyId: doc.journeyId as string,
      version: doc.version as number,
      instanceId: doc.instanceId as string,
      runId: doc.runId as string,
      userId: doc.userId as string,
      at: (doc.at as Date).toISOString(),
    };
    for (const key of ['nodeId', 'connector', 'outcome', 'reason', 'goalId', 'path'] as const) {
      const value = doc[key];
      if (typeof value === 'string') fact[key] = value;
    }
    return fact;
  }

  return {
    /**
     * Stores a batch; a fact whose id is stored already (a retried batch, an overlapping concurrent one,
     * a duplicate inside the batch) is skipped, so nothing is counted twice. Other errors are thrown.
     */
    async record(batch: readonly Fact[]): Promise<void> {
      if (batch.length === 0) return;
      const docs = batch.map((fact) => ({ ...fact, at: new Date(fact.at) }));
      try {
        await facts.insertMany(docs, { ordered: false, throwOnValidationError: true });
      } catch (error) {
        if (!onlyDuplicates(error)) throw error;
      }
    },

    /** Facts of a journey (optionally one version, instance, kind and time range), in time order. */
    async list(filter: FactFilter): Promise<Fact[]> {
      const query: Record<string, unknown> = { journeyId: filter.journeyId };
      if (filter.version !== undefined) query.version = filter.version;
      if (filter.instanceId !== undefined) query.instanceId = filter.instanceId;
      if (filter.kind !== undefined) query.kind = filter.kind;
      if (filter.from !== undefined || filter.to !== undefined) {
        query.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
      }
      const docs = await facts.find(query, { _id: 0 }).sort({ at: 1, id: 1 }).lean();
      return docs.map((doc) => toFact(doc as Record<string, unknown>));
    },
  };
}

export type FactStore = ReturnType<typeof createFactStore>;
