import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { SegmentActivities } from '../../activities/segments';
import { batchEntryWorkflow } from './batch-entry';
import { type SegmentRunInput } from '../contract';

const segments = proxyActivities<SegmentActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m' },
});

/**
 * One evaluation of a segment entry, started by the version's Temporal Schedule (`segment:{journey}:{version}`):
 * selects the audience now, stores it as a batch named after this run, and enrols it through the batch-entry
 * workflow (throttled; re-entry rules apply; each user at most once per run).
 */
export async function segmentRunWorkflow(input: SegmentRunInput): Promise<{ users: number }> {
  // A schedule gives each run its own workflow id (the schedule's id and the scheduled time).
  const batchId = workflowInfo().workflowId.replace(/[^A-Za-z0-9_.:-]/g, '_');
  const run = await segments.prepareSegmentRun({ journeyId: input.journeyId, version: input.version, batchId });
  if (run.chunks > 0) {
    await executeChild(batchEntryWorkflow, {
      workflowId: `batch-entry:${batchId}`,
      args: [{ batchId, chunks: run.chunks, ratePerSecond: input.ratePerSecond }],
    });
  }
  return { users: run.users };
}
