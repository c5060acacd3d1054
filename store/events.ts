import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';

export interface StoredEvent {
  eventId: string;
  userId: string;
  name: string;
  properties: Record<string, unknown>;
  timestamp: Date;
}

/** A duplicate whose first delivery never finished (crashed) is processed again after this long. */
export const ABANDONED_AFTER_MS = 60_000;

/**
 * The event store: every ingested event once, under its unique id. The insert decides which of several
 * concurrent deliveries of one event takes effect; the others are duplicates. Kept for segments (did / did
 * not do, counts, time ranges); properties are JSON text (their keys may not be storable on FerretDB).
 */
export function createEventStore(models: Pick<Models, 'events'>, clock: () => Date = () => new Date()) {
  return {
    /** `new`: this delivery processes the event; `duplicate`: another one did or does. */
    async claim(event: StoredEvent): Promise<'new' | 'duplicate'> {
      try {
        await models.events.create({ ...event, properties: JSON.stringify(event.properties), receivedAt: clock() });
        return 'new';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const first = await models.events.findOne({ eventId: event.eventId }, { processedAt: 1, receivedAt: 1 }).lean();
      const abandoned = first && !first.processedAt && clock().getTime() - first.receivedAt.getTime() > ABANDONED_AFTER_MS;
      return abandoned ? 'new' : 'duplicate';
    },

    /** Forgets an event whose processing failed, so that the sender's retry processes it. */
    async release(eventId: string): Promise<void> {
      await models.events.deleteOne({ eventId, processedAt: { $exists: false } });
    },

    async markProcessed(eventId: string): Promise<void> {
      await models.events.updateOne({ eventId }, { $set: { processedAt: clock() } });
    },
  };
}

export type EventStore = ReturnType<typeof createEventStore>;
