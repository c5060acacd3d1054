import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

export interface StoredEvent {
  eventId: string;
  userId: string;
  name: string;
  properties: Record<string, unknown>;
  timestamp: Date;
}

/**
 * How long a claim holds an event without news from its holder, which renews it while it works (every third
 * of this). A delivery that finds a claim older than this takes it over: its holder died mid-way.
 */
export const CLAIM_LEASE_MS = 10_000;

/**
 * `claimed`: this delivery (`holder`) processes the event; `duplicate`: another one did (the claim is done);
 * `pending`: another one is processing it and its lease runs until `leaseUntil`: ask again after that.
 */
export type ClaimResult = { status: 'claimed' } | { status: 'duplicate' } | { status: 'pending'; leaseUntil: Date };

/** The claim fields of an event document (besides the event itself). */
interface ClaimDoc {
  _id: string;
  processedAt?: Date;
  leaseUntil?: Date;
  holder?: string;
  /** Counts takeovers: two deliveries that find the same expired lease cannot both take it over. */
  takeovers?: number;
}

/** Where takeovers are decided (see `takeOver`); one tiny document per takeover. */
export const TAKEOVERS_COLLECTION = 'event_claim_takeovers';

/** Reads of a claim that vanished (given back meanwhile) before the claim gives up and calls it a duplicate. */
const MAX_CLAIM_ROUNDS = 3;

/**
 * The event store: every ingested event once, under its id as `_id` (FerretDB's SQLite backend finds
 * documents fast only by `_id`: every read and write here is by `_id` alone). The document is also the
 * event's claim, a lease rather than a verdict: the insert decides which of concurrent deliveries processes
 * the event; the event counts as done only once `markProcessed` ran; a claim whose holder stopped renewing it
 * is taken over by the next delivery. Kept for segments (did / did not do, counts, time ranges); properties
 * are JSON text (their keys may not be storable on FerretDB).
 *
 * Events stored by older versions (ObjectId `_id`, the same unique `eventId`) count as done.
 */
export function createEventStore(models: Pick<Models, 'events'>, clock: () => Date = () => new Date()) {
  const events = models.events;
  const read = (eventId: string): Promise<ClaimDoc | null> =>
    events.findById(eventId, { processedAt: 1, leaseUntil: 1, holder: 1, takeovers: 1 }).lean<ClaimDoc>();
  const leaseFromNow = () => new Date(clock().getTime() + CLAIM_LEASE_MS);
  const takeovers = events.db.collection<{ _id: string; at: Date }>(TAKEOVERS_COLLECTION);

  /**
   * Takes over a claim whose lease ran out; answers false when another delivery took it first. The takeover
   * is decided by an insert under a unique `_id` (`{event}#{n}`, n = the takeover count plus one) in a small
   * collection of its own: the one atomic decision FerretDB offers (its findAndModify is not atomic).
   */
  async function takeOver(found: ClaimDoc, holder: string): Promise<boolean> {
    const takeover = (found.takeovers ?? 0) + 1;
    try {
      await takeovers.insertOne({ _id: `${found._id}#${takeover}`, at: clock() });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await events.updateOne({ _id: found._id }, { $set: { leaseUntil: leaseFromNow(), holder, takeovers: takeover } });
    // Done by its holder just before the lease ran out: nothing to take over.
    return !(await read(found._id))?.processedAt;
  }

  return {
    /** `holder`: this delivery's name on the claim (only the holder renews it or gives it back). */
    async claim(event: StoredEvent, holder: string = randomUUID()): Promise<ClaimResult> {
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        try {
          await events.create({
            _id: event.eventId,
            ...event,
            properties: JSON.stringify(event.properties),
            receivedAt: clock(),
            leaseUntil: leaseFromNow(),
            holder,
            takeovers: 0,
          });
          return { status: 'claimed' };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const found = await read(event.eventId);
        // Given back meanwhile: claim it again.
        if (!found) continue;
        if (found.processedAt || !found.leaseUntil) return { status: 'duplicate' };
        if (found.leaseUntil.getTime() > clock().getTime()) return { status: 'pending', leaseUntil: found.leaseUntil };
        if (await takeOver(found, holder)) return { status: 'claimed' };
        // Another delivery took it over (or it was done meanwhile): ask again within the new lease.
        return { status: 'pending', leaseUntil: leaseFromNow() };
      }
      // Still not found by `_id`: an event stored by an older version under the same id (done), or a claim
      // given back and taken again each time we looked; in both cases another delivery has it.
      return { status: 'duplicate' };
    },

    /** Extends the holder's lease while it works; answers false when the claim is no longer its own. */
    async renew(eventId: string, holder: string): Promise<boolean> {
      const found = await read(eventId);
      if (!found || found.processedAt || found.holder !== holder) return false;
      await events.updateOne({ _id: eventId }, { $set: { leaseUntil: leaseFromNow() } });
      return true;
    },

    /** Forgets an event whose processing failed, so that the sender's retry processes it. Only its holder can. */
    async release(eventId: string, holder: string): Promise<void> {
      const found = await read(eventId);
      if (!found || found.processedAt || found.holder !== holder) return;
      await events.deleteOne({ _id: eventId });
    },

    /** The claim becomes final: every later delivery of the event is a duplicate. */
    async markProcessed(eventId: string): Promise<void> {
      await events.updateOne({ _id: eventId }, { $set: { processedAt: clock() } });
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
