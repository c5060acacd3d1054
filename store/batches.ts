import type { Models } from './mongo/models';

/**
 * Batch enrolments (spec 2.1, `list` entry): the users of a batch, stored in chunks when the request arrives
 * (so the workflow's history carries only the batch id), and each chunk's result, from which progress is summed.
 */

/** Users per chunk: the batch-entry workflow enrols one chunk per activity call. */
export const batchChunkSize = 100;

export interface BatchUser {
  userId: string;
  context?: Record<string, unknown>;
}

/** Why a user of a batch did not enter: the journey's entry rules, or the journey no longer running. */
export const batchNotEligibleReasons = ['already_entered', 'cooldown', 'journey_not_running'] as const;
export type BatchNotEligibleReason = (typeof batchNotEligibleReasons)[number];

export interface BatchFailure {
  userId: string;
  error: string;
}

/** What enrolling one chunk did, in counts; each user of the chunk is in exactly one of the four outcomes. */
export interface ChunkResult {
  /** New instances; `control` of them are held out in the journey's control group. */
  started: number;
  control: number;
  /** Users with a live instance of the journey already. */
  existing: number;
  notEligible: Partial<Record<BatchNotEligibleReason, number>>;
  /** Users whose start Temporal refused for good, with the first few errors. */
  failed: number;
  failures: BatchFailure[];
  finishedAt: Date;
}

export interface BatchProgress {
  batchId: string;
  journeyId: string;
  total: number;
  /** Users enrolled so far, whatever the outcome: started + existing + notEligible + failed. */
  processed: number;
  started: number;
  control: number;
  existing: number;
  notEligible: number;
  notEligibleReasons: Partial<Record<BatchNotEligibleReason, number>>;
  failed: number;
  failures: BatchFailure[];
  done: boolean;
  /** When the batch was accepted. */
  startedAt: Date;
  /** When its last chunk was enrolled, once done. */
  finishedAt?: Date;
}

/** Failures listed in a progress report; the counts have them all. */
const maxReportedFailures = 10;

/** Chunks are read by id only: FerretDB uses no other index for queries, so any other filter scans them all. */
function chunkId(batchId: string, chunk: number): string {
  return `${batchId}:${chunk}`;
}

export function createBatchStore(models: Pick<Models, 'batchChunks'>) {
  const chunks = models.batchChunks;

  return {
    /** Stores the users of a new batch in chunks of {@link batchChunkSize}; answers how many chunks. */
    async create(batch: { batchId: string; journeyId: string; users: BatchUser[]; at: Date }): Promise<number> {
      const chunkCount = Math.ceil(batch.users.length / batchChunkSize);
      const docs = [];
      for (let chunk = 0; chunk < chunkCount; chunk++) {
        const users = batch.users.slice(chunk * batchChunkSize, (chunk + 1) * batchChunkSize);
        docs.push({
          _id: chunkId(batch.batchId, chunk),
          batchId: batch.batchId,
          chunk,
          chunks: chunkCount,
          journeyId: batch.journeyId,
          users: JSON.stringify(users),
          size: users.length,
          createdAt: batch.at,
        });
      }
      await chunks.insertMany(docs);
      return chunkCount;
    },

    /** One chunk: its journey, its users, and its result once it has been enrolled. */
    async chunk(batchId: string, chunk: number): Promise<{ journeyId: string; users: BatchUser[]; result?: ChunkResult }> {
      const doc = await chunks.findById(chunkId(batchId, chunk)).lean();
      if (!doc) throw new Error(`chunk ${chunk} of batch ${batchId} is missing`);
      return {
        journeyId: doc.journeyId,
        users: JSON.parse(doc.users) as BatchUser[],
        ...(doc.result ? { result: doc.result as ChunkResult } : {}),
      };
    },

    /**
     * Sets a chunk's result; a retried activity finds it and does not enrol the chunk again. Only an attempt
     * that outlived its timeout can race its retry here, and either one writes complete counts of the same
     * users, so the chunk counts once whichever write stays.
     */
    async recordResult(batchId: string, chunk: number, result: ChunkResult): Promise<void> {
      await chunks.updateOne({ _id: chunkId(batchId, chunk) }, { $set: { result } });
    },

    /** The batch's progress, summed from its chunks' results; undefined for an unknown batch. */
    async progress(batchId: string): Promise<BatchProgress | undefined> {
      const first = await chunks.findById(chunkId(batchId, 0), { users: 0 }).lean();
      if (!first) return undefined;
      const rest = await Promise.all(
        Array.from({ length: first.chunks - 1 }, (_, i) => chunks.findById(chunkId(batchId, i + 1), { users: 0 }).lean()),
      );
      const progress: BatchProgress = {
        batchId,
        journeyId: first.journeyId,
        total: 0,
        processed: 0,
        started: 0,
        control: 0,
        existing: 0,
        notEligible: 0,
        notEligibleReasons: {},
        failed: 0,
        failures: [],
        done: true,
        startedAt: first.createdAt,
      };
      let finishedAt = first.createdAt;
      for (const doc of [first, ...rest]) {
        // A chunk missing (its insert failed with the request) never ends the batch.
        if (doc) progress.total += doc.size;
        const result = doc?.result as ChunkResult | undefined;
        if (!result) {
          progress.done = false;
          continue;
        }
        progress.started += result.started;
        progress.control += result.control;
        progress.existing += result.existing;
        progress.failed += result.failed;
        progress.failures.push(...result.failures);
        for (const [reason, count] of Object.entries(result.notEligible) as [BatchNotEligibleReason, number][]) {
          progress.notEligibleReasons[reason] = (progress.notEligibleReasons[reason] ?? 0) + count;
          progress.notEligible += count;
        }
        if (result.finishedAt > finishedAt) finishedAt = result.finishedAt;
      }
      progress.processed = progress.started + progress.existing + progress.notEligible + progress.failed;
      progress.failures = progress.failures.slice(0, maxReportedFailures);
      if (progress.done) progress.finishedAt = finishedAt;
      return progress;
    },
  };
}

export type BatchStore = ReturnType<typeof createBatchStore>;
