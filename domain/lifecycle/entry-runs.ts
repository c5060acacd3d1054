import type { SegmentSchedule } from '../definition/schema';

/** How long after its instant a one-time run that never started counts as missed (paused over it, say). */
export const MISSED_RUN_GRACE_MS = 5 * 60_000;

/** The instant of the last run of a one-time segment entry (`once`, `dates`); undefined for `recurring`. */
export function lastRunInstant(schedule: SegmentSchedule, start: Date): Date | undefined {
  if (schedule.type === 'once') return schedule.at ? new Date(schedule.at) : start;
  if (schedule.type === 'dates') return new Date(Math.max(...schedule.dates.map((date) => Date.parse(date))));
  return undefined;
}

/** What the version's Temporal Schedule says about its runs. */
export interface ScheduleRuns {
  /** Runs still to come. */
  upcoming: number;
  /** Runs started and not finished (a run ends once its batch has enrolled every selected user). */
  inFlight: number;
  /** Runs taken so far, on time or triggered. */
  taken: number;
}

/**
 * Whether a one-time segment entry will admit nobody again: nothing to come, nothing running, and either a
 * run was taken or the last instant is long past (every date was already past at publish, or the version
 * was paused over its run: no back-fill).
 */
export function oneTimeEntryOver(last: Date, runs: ScheduleRuns, now: Date): boolean {
  if (runs.upcoming > 0 || runs.inFlight > 0) return false;
  return runs.taken > 0 || now.getTime() - last.getTime() >= MISSED_RUN_GRACE_MS;
}
