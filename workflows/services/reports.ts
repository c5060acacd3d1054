import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ReportActivities } from '../../activities/reports';
import type { ExperimentActivities } from '../../activities/experiments';
import { rebuildReportsSignal, type ReportsInput } from '../contract';

const reports = proxyActivities<ReportActivities & ExperimentActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

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
  const rebuilds = [...(input.rebuilds ?? [])];
  setHandler(rebuildReportsSignal, (journeyId) => {
    if (!rebuilds.includes(journeyId)) rebuilds.push(journeyId);
  });
  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    const { more } = await reports.foldFacts();
    while (rebuilds.length > 0) {
      await reports.rebuildCounters(rebuilds[0]!);
      rebuilds.shift();
    }
    if (Date.now() - checkedAt >= experimentCheckMs) {
      await reports.reweightExperiments();
      checkedAt = Date.now();
    }
    // Idle until the next pass, unless a rebuild is asked for.
    if (!more) await condition(() => rebuilds.length > 0, idleMs);
  }
  return continueAsNew<typeof reportsWorkflow>({ ...input, rebuilds });
}
