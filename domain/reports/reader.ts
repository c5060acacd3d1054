import type { DayCounters } from './counters';

/** The counters of one (version, UTC day). */
export interface VersionDay {
  version: number;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  counters: DayCounters;
}

/**
 * What reports, the re-weighter and exports read: the folded counters plus the journal batches not folded
 * yet, so every answer includes every fact stored before the call.
 */
export interface ReportReader {
  /** Every day with counters of these versions of a journey (all time; callers pick their range). */
  days(journeyId: string, versions: readonly number[]): Promise<VersionDay[]>;
  /** The all-time sum of one version's counters. */
  allTime(journeyId: string, version: number): Promise<DayCounters>;
}
