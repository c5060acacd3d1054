import { ENGAGEMENT_KINDS } from '../domain/engagement';
import { engagementRecordId } from './engagement';
import { createAppMessageStore } from './app-messages';
import { FACT_STRIPES } from './facts';
import type { Models } from './mongo/models';
import type { RetentionKind } from '../domain/retention/settings';

/** Where the report folder keeps its journal positions (store/report-counters.ts). */
const JOURNAL_STATE = 'journal';

export interface PruneResult {
  /** Documents deleted by this call. */
  deleted: number;
  /** Provider attempts inside the deleted deliveries (they are kept inside their delivery document). */
  attempts?: number;
  /** Send slots deleted with the deliveries. */
  sendSlots?: number;
  /** True when a full batch was deleted: there may be more. */
  more: boolean;
}

/**
 * Deletes records older than a cutoff, at most `limit` per call, so no single call holds a long delete: the ids
 * are selected first (`limit`), then deleted by `_id`. Each call is idempotent (a retry deletes what is still
 * there). On FerretDB's SQLite backend every filter but `{ _id }` scans its collection: one call costs a scan of
 * the collection, so the retention workflow calls it in a loop of batches, once a day.
 */
export function createRetentionStore(models: Models) {
  const appMessages = createAppMessageStore(models);
  async function deleteByIds(model: Models[keyof Models], ids: unknown[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { deletedCount } = await (model as Models['events']).deleteMany({ _id: { $in: ids } });
    return deletedCount;
  }

  async function pruneEvents(before: Date, limit: number): Promise<PruneResult> {
    const ids = (
      await models.events
        .find({ receivedAt: { $lt: before } }, { _id: 1 })
        .limit(limit)
        .lean()
    ).map((doc) => doc._id);
    return { deleted: await deleteByIds(models.events, ids), more: ids.length >= limit };
  }

  async function pruneSinkMessages(before: Date, limit: number): Promise<PruneResult> {
    const ids = (
      await models.sinkMessages
        .find({ createdAt: { $lt: before } }, { _id: 1 })
        .limit(limit)
        .lean()
    ).map((doc) => doc._id);
    return { deleted: await deleteByIds(models.sinkMessages, ids), more: ids.length >= limit };
  }

  async function pruneBatchChunks(before: Date, limit: number): Promise<PruneResult> {
    const ids = (
      await models.batchChunks
        .find({ createdAt: { $lt: before } }, { _id: 1 })
        .limit(limit)
        .lean()
    ).map((doc) => doc._id);
    return { deleted: await deleteByIds(models.batchChunks, ids), more: ids.length >= limit };
  }

  /**
   * Deliveries (with their attempts) last changed before the cutoff, and the send slots of the account-wide
   * channel caps older than `slotsBefore` (the caller keeps the longest cap window: caps count the slots in it).
   */
  async function pruneDeliveries(before: Date, limit: number, slotsBefore: Date = before): Promise<PruneResult> {
    const docs = await models.deliveries
      .find({ at: { $lt: before } }, { _id: 1, attempts: 1 })
      .limit(limit)
      .lean();
    const attempts = docs.reduce((sum, doc) => sum + (doc.attempts?.length ?? 0), 0);
    // The records that count each message's engagement once (store/engagement.ts) go with it, found by `_id`.
    const engagementIds = docs.flatMap((doc) => ENGAGEMENT_KINDS.map((kind) => engagementRecordId(doc._id, kind)));
    if (engagementIds.length > 0) await models.engagements.deleteMany({ _id: { $in: engagementIds } });
    const deleted = await deleteByIds(
      models.deliveries,
      docs.map((doc) => doc._id),
    );
    // Node caps count sends "ever" (`maxTimes`): only the slots of account-wide channel caps age out.
    const slotIds = (
      await models.sendSlots
        .find({ scope: { $regex: '^channel:' }, at: { $lt: slotsBefore } }, { _id: 1 })
        .limit(limit)
        .lean()
    ).map((doc) => doc._id);
    const sendSlots = await deleteByIds(models.sendSlots, slotIds);
    return { deleted, attempts, sendSlots, more: docs.length >= limit || slotIds.length >= limit };
  }

  /**
   * Fact batches older than the cutoff that the report folder has already counted (`{stripe}:{n}` with n at or
   * below its position in the stripe): the counters keep their figures and the folder only reads forward, so
   * reports do not change; a rebuild afterwards counts only the facts still kept.
   */
  async function pruneFacts(before: Date, limit: number): Promise<PruneResult> {
    const state = await models.reportState.findById(JOURNAL_STATE).lean();
    const folded = (state?.value as Record<string, number> | undefined) ?? {};
    const cutoff = before.toISOString();
    // A batch is one step of one instance: its first fact's time is the batch's time (ISO text, ordered as text).
    const docs = await models.facts
      .find({ 'facts.0.at': { $lt: cutoff } }, { _id: 1 })
      .limit(limit)
      .lean();
    const counted = docs
      .map((doc) => doc._id)
      .filter((id) => {
        const [stripe, n] = id.split(':').map(Number) as [number, number];
        return stripe < FACT_STRIPES && n <= (folded[String(stripe)] ?? 0);
      });
    // Old batches the folder has not counted yet stay (and are skipped): stop once a batch deletes nothing.
    return { deleted: await deleteByIds(models.facts, counted), more: docs.length >= limit && counted.length > 0 };
  }

  return {
    /** One bounded batch of deletions of `kind`; `slotsBefore` only for deliveries. */
    async prune(kind: RetentionKind, before: Date, limit: number, slotsBefore?: Date): Promise<PruneResult> {
      switch (kind) {
        case 'events':
          return pruneEvents(before, limit);
        case 'facts':
          return pruneFacts(before, limit);
        case 'deliveries':
          return pruneDeliveries(before, limit, slotsBefore);
        case 'sinkMessages':
          return pruneSinkMessages(before, limit);
        case 'batchChunks':
          return pruneBatchChunks(before, limit);
        case 'appMessages':
          // `before` is counted from the expiry: messages that expired longer ago than the period.
          return appMessages.pruneExpired(before, limit);
      }
    },
  };
}

export type RetentionStore = ReturnType<typeof createRetentionStore>;
