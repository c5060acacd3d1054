import { createHmac, randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import type { Models } from './mongo/models';
import type { ProfileDoc } from './profiles';

/** What one erasure removed (or pseudonymised), per kind of record. */
export interface ErasureCounts {
  profiles: number;
  events: number;
  sinkMessages: number;
  deliveries: number;
  /** Provider attempts, kept inside their delivery documents. */
  deliveryAttempts: number;
  /** Frequency-cap slots of the user. */
  sendSlots: number;
  /** Enrolment records: re-entry rules forget the user. */
  entries: number;
  /** Idempotency records whose kept answer names the user (enrolment answers, for 24 hours). */
  idempotencyRecords: number;
  /** Batch chunks the user was taken out of (their context with them). */
  batchChunks: number;
  /** Fact batches whose user id was replaced by a pseudonym (report figures unchanged). */
  factsPseudonymised: number;
}

/**
 * Another place that keeps messages of a user (an inbox channel, say) joins the erasure by registering here:
 * it deletes the user's records and answers how many, under its own name in the answer.
 */
export interface ErasureParticipant {
  name: string;
  erase(userId: string): Promise<number>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Erases the stored data of one user (GDPR art. 17). Deleting twice deletes nothing the second time.
 *
 * Cost on FerretDB's SQLite backend (only `_id` lookups use an index): the profile is one `_id` lookup; events
 * and sink messages filter on `userId`, the first field of an index (used by MongoDB; FerretDB scans); every
 * other kind scans its collection (deliveries, entries, send slots by scope, fact batches, idempotency records
 * within their 24 hours, batch chunks within their retention). An erasure is rare; it is not on a hot path.
 *
 * Facts feed the reports: they are pseudonymised, not deleted. The user id (and the user part of the instance
 * id) becomes `erased-` + an HMAC keyed by a random key drawn for this erasure and then dropped, so it cannot
 * be recomputed from the user id, while every fact of the user keeps the same pseudonym and the figures stay.
 */
export function createErasureStore(models: Models, profiles: Model<ProfileDoc>, participants: readonly ErasureParticipant[] = []) {
  async function eraseDeliveries(userId: string): Promise<{ deliveries: number; deliveryAttempts: number }> {
    // The records that count each message's engagement once (store/engagement.ts) go with the deliveries.
    await models.engagements.deleteMany({ userId });
    const docs = await models.deliveries.find({ userId }, { _id: 1, attempts: 1 }).lean();
    if (docs.length === 0) return { deliveries: 0, deliveryAttempts: 0 };
    const { deletedCount } = await models.deliveries.deleteMany({ _id: { $in: docs.map((doc) => doc._id) } });
    return { deliveries: deletedCount, deliveryAttempts: docs.reduce((sum, doc) => sum + (doc.attempts?.length ?? 0), 0) };
  }

  /** Cap scopes end with the user id (`channel:{channel}:{user}`, `node:{journey}:{node}:{user}`; ids hold no `:`). */
  async function eraseSendSlots(userId: string): Promise<number> {
    return (await models.sendSlots.deleteMany({ scope: { $regex: `:${escapeRegex(userId)}$` } })).deletedCount;
  }

  /** Kept answers name the user as `"userId":"{user}"` or inside an instance id `...:user:{user}"`. */
  async function eraseIdempotencyRecords(userId: string): Promise<number> {
    const quoted = JSON.stringify(userId).slice(1, -1);
    const marks = [`"userId":"${quoted}"`, `:user:${quoted}"`];
    const ids: unknown[] = [];
    for await (const doc of models.idempotencyRecords
      .find({ answer: { $exists: true } }, { _id: 1, answer: 1 })
      .lean()
      .cursor()) {
      if (doc.answer && marks.some((mark) => doc.answer!.includes(mark))) ids.push(doc._id);
    }
    if (ids.length === 0) return 0;
    return (await models.idempotencyRecords.deleteMany({ _id: { $in: ids } })).deletedCount;
  }

  /** Takes the user (and their context) out of the user lists of batch chunks. */
  async function eraseFromBatchChunks(userId: string): Promise<number> {
    const mark = JSON.stringify(userId);
    let changed = 0;
    for await (const doc of models.batchChunks.find({}, { _id: 1, users: 1 }).lean().cursor()) {
      if (!doc.users.includes(mark)) continue;
      const users = JSON.parse(doc.users) as Array<{ userId: string }>;
      const kept = users.filter((user) => user.userId !== userId);
      if (kept.length === users.length) continue;
      await models.batchChunks.updateOne({ _id: doc._id }, { $set: { users: JSON.stringify(kept) } });
      changed++;
    }
    return changed;
  }

  async function pseudonymiseFacts(userId: string): Promise<number> {
    const docs = await models.facts.find({ userId }, { _id: 1, instanceId: 1 }).lean();
    if (docs.length === 0) return 0;
    const pseudonym = `erased-${createHmac('sha256', randomBytes(32)).update(userId).digest('hex').slice(0, 32)}`;
    const suffix = `:user:${userId}`;
    for (const doc of docs) {
      const instanceId = doc.instanceId.endsWith(suffix) ? `${doc.instanceId.slice(0, -suffix.length)}:user:${pseudonym}` : pseudonym;
      await models.facts.updateOne({ _id: doc._id }, { $set: { userId: pseudonym, instanceId } });
    }
    return docs.length;
  }

  return {
    /** Erases everything stored of the user (their running instances must have ended first: they write). */
    async eraseUser(userId: string): Promise<ErasureCounts & { other: Record<string, number> }> {
      const [profileResult, eventResult, sinkResult, deliveryCounts, sendSlots, entryResult, idempotencyRecords, batchChunks] =
        await Promise.all([
          profiles.deleteOne({ _id: userId }),
          models.events.deleteMany({ userId }),
          models.sinkMessages.deleteMany({ userId }),
          eraseDeliveries(userId),
          eraseSendSlots(userId),
          models.entries.deleteMany({ userId }),
          eraseIdempotencyRecords(userId),
          eraseFromBatchChunks(userId),
        ]);
      const factsPseudonymised = await pseudonymiseFacts(userId);
      const other: Record<string, number> = {};
      for (const participant of participants) other[participant.name] = await participant.erase(userId);
      return {
        profiles: profileResult.deletedCount,
        events: eventResult.deletedCount,
        sinkMessages: sinkResult.deletedCount,
        ...deliveryCounts,
        sendSlots,
        entries: entryResult.deletedCount,
        idempotencyRecords,
        batchChunks,
        factsPseudonymised,
        other,
      };
    },
  };
}

export type ErasureStore = ReturnType<typeof createErasureStore>;
