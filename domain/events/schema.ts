import { z } from 'zod';
import { userIdSchema } from '../ids';
import { boundedRecordSchema } from '../input-limits';

/** One event of a user, as marketing tools and backends send it to `POST /v1/events`. */
export const eventInputSchema = z
  .strictObject({
    eventId: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Unique per event; a second event with the same id has no effect. Generated when absent (then no de-duplication).'),
    userId: userIdSchema,
    name: z.string().min(1).max(200).describe('The event name, e.g. `checkout_started`.'),
    properties: boundedRecordSchema('Event properties (JSON).').optional(),
    timestamp: z.iso.datetime({ offset: true }).optional().describe('When it happened (ISO-8601); default now.'),
  })
  .describe('An event of a user.');
export type EventInput = z.infer<typeof eventInputSchema>;

export const MAX_EVENTS_PER_BATCH = 1000;

export const eventBatchSchema = z
  .strictObject({ events: z.array(eventInputSchema).min(1).max(MAX_EVENTS_PER_BATCH) })
  .describe(`Up to ${MAX_EVENTS_PER_BATCH} events, processed in order.`);

/** How far in the future an event may be dated (clock skew between the sender and us). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
