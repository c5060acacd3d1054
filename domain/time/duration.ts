import { Duration } from 'luxon';

/**
 * Milliseconds of an ISO-8601 duration (`PT30M`, `P1D`), with calendar units taken as fixed lengths
 * (a day is 24 h); 0 for text that is not a duration. Pure and zod-free, so workflow code may use it.
 */
export function durationToMs(iso: string): number {
  const duration = Duration.fromISO(iso);
  return duration.isValid ? duration.toMillis() : 0;
}
