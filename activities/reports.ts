import type { FoldResult, ReportCounters } from '../store/report-counters';

export interface ReportActivityDependencies {
  counters: Pick<ReportCounters, 'fold' | 'rebuild'>;
}

/** The report folder's activity, run by the reports service workflow (its only caller, hence one writer). */
export function createReportActivities({ counters }: ReportActivityDependencies) {
  return {
    /** Folds the journal batches written since the last pass into the report counters. */
    async foldFacts(): Promise<FoldResult> {
      return counters.fold();
    },

    /** Recomputes a journey's counters from its facts alone. */
    async rebuildCounters(journeyId: string): Promise<{ batches: number }> {
      return counters.rebuild(journeyId);
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
