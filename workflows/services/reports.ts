import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { ReportActivities } from '../../activities/reports';
import type { ExperimentActivities } from '../../activities/experiments';

const reports = proxyActivities<ReportActivities & ExperimentActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export interface ReportsInput {
  /** Pause between folds when the journal has nothing new (default 2 s). */
  idleMs?: number;
  /** How often auto experiments are checked for re-weighting (default 30 s; each node has its own interval). */
  experimentCheckMs?: number;
}

/** Passes before the workflow continues as new, to keep its history short. */
const PASSES_PER_RUN = 300;

/**
 * The reports service (`reports:{taskQueue}`, one per deployment): the only writer of the report counters.
 * It folds the fact journal into the counters, and re-weights the auto experiments that are due, from those
 * counters. Reports never wait for it: readers add the batches it has not folded yet.
 */
export async function reportsWorkflow(input: ReportsInput = {}): Promise<never> {
  const idleMs = input.idleMs ?? 2_000;
  const experimentCheckMs = input.experimentCheckMs ?? 30_000;
  let checkedAt = 0;
  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    const { more } = await reports.foldFacts();
    if (Date.now() - checkedAt >= experimentCheckMs) {
      await reports.reweightExperiments();
      checkedAt = Date.now();
    }
    if (!more) await sleep(idleMs);
  }
  return continueAsNew<typeof reportsWorkflow>(input);
}
