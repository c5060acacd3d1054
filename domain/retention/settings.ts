import { z } from 'zod';
import { durationToMs } from '../time/duration';
import type { RetentionKind } from './kinds';

export { RETENTION_KINDS, type RetentionKind } from './kinds';

/**
 * How long each kind of record is kept before the retention service deletes it (ISO-8601 durations, calendar
 * units at fixed lengths). Each period has a floor: what the engine itself still reads must outlive it.
 */

/** The shortest period accepted per kind, and why (shown in the schema and in the 400 answer). */
export const RETENTION_MINIMUMS: Record<RetentionKind, { period: string; why: string }> = {
  // An event id de-duplicates redeliveries; clients retry for far less than a week.
  events: { period: 'P7D', why: 'event ids de-duplicate client retries' },
  // Only batches the report folder has counted are pruned; a rebuild of older reports needs the facts.
  facts: { period: 'P30D', why: 'reports can be rebuilt from the facts of the last 30 days at least' },
  // A retried send reads its delivery to avoid a second copy; cap windows are kept apart (send slots).
  deliveries: { period: 'P7D', why: 'a retried send reads its delivery record' },
  sinkMessages: { period: 'P1D', why: 'tests and developers read the sink' },
  // A batch is enrolled from its chunks; a paced or paused batch may take days.
  batchChunks: { period: 'P7D', why: 'a batch is enrolled from its chunks' },
  // Counted from the message's expiry, when the app stops listing it; an app may still post a late read.
  appMessages: { period: 'PT1H', why: 'an app may still report engagement with a message it showed just before it expired' },
};

function period(kind: RetentionKind, fallback: string, describe: string) {
  const minimum = RETENTION_MINIMUMS[kind];
  return z
    .string()
    .refine((text) => durationToMs(text) > 0, { message: 'must be an ISO-8601 duration such as P90D' })
    .refine((text) => durationToMs(text) >= durationToMs(minimum.period), {
      message: `must be at least ${minimum.period} (${minimum.why})`,
    })
    .default(fallback)
    .describe(`${describe} At least ${minimum.period}. Default ${fallback}.`);
}

export const retentionSettingsSchema = z
  .strictObject({
    events: period('events', 'P90D', 'Ingested events, by the time they were received.'),
    facts: period('facts', 'P400D', 'Fact journal batches already folded into the report counters (the counters are kept).'),
    deliveries: period(
      'deliveries',
      'P90D',
      'Delivery records with their provider attempts, and send slots older than both this and the longest frequency-cap window.',
    ),
    sinkMessages: period('sinkMessages', 'P7D', 'Messages of the dev sink channel.'),
    batchChunks: period('batchChunks', 'P30D', 'Chunks of batch and segment enrolments (with their user lists and contexts).'),
    appMessages: period(
      'appMessages',
      'P1D',
      'Inbox and in-app messages, counted from their expiry (the app lists none past it): kept this long after they expire.',
    ),
  })
  .describe(
    'How long records are kept; a maintenance workflow on a Temporal Schedule deletes older ones. Entries (enrolment records) are ' +
      'never pruned: re-entry rules ("once ever", cool-downs) read every entry of a user; DELETE /v1/users/{id} erases them.',
  );

export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;
export type RetentionSettingsInput = z.input<typeof retentionSettingsSchema>;

export const defaultRetentionSettings: RetentionSettings = retentionSettingsSchema.parse({});
