import { Duration } from 'luxon';
import { z } from 'zod';

/** An ISO-8601 duration such as `PT1H` or `P7D`, the one way journeys spell lengths of time. */
export const isoDurationSchema = z
  .string()
  .refine((text) => Duration.fromISO(text).isValid && durationToMs(text) > 0, {
    message: 'must be a positive ISO-8601 duration such as PT30M, P1D or P2W',
  });

/**
 * Milliseconds of an ISO-8601 duration, with calendar units taken as fixed lengths (a day is 24 h).
 * Pure, so workflow code may use it.
 */
export function durationToMs(iso: string): number {
  return Duration.fromISO(iso).toMillis();
}
