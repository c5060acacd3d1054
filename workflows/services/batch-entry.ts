import { continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { BatchActivities } from '../../activities/batches';
import { type BatchEntryInput } from '../contract';

/** Retried until it succeeds: an outage of Mongo or Temporal only delays the batch. */
const batches = proxyActivities<BatchActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Chunks per run (about 11 history events each): continuing as new after these keeps every history short. */
const chunksPerRun = 50;

/**
 * Enrols the users of a batch (started by the API, workflow id `batch-entry:{batchId}`), one chunk of 100 per
 * activity call, throttled to `ratePerSecond`. The users stay in Mongo and each chunk's counts go there too,
 * so the history holds ids and numbers only and progress is read without asking the workflow.
 */
export async function batchEntryWorkflow(input: BatchEntryInput): Promise<void> {
  const first = input.nextChunk ?? 0;
  const began = Date.now();
  let enrolled = 0;
  for (let chunk = first; chunk < input.chunks; chunk++) {
    if (chunk - first >= chunksPerRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof batchEntryWorkflow>({ ...input, nextChunk: chunk });
    }
    enrolled += (await batches.enrolBatchChunk({ batchId: input.batchId, chunk })).users;
    // Paced against the run's start, not chunk by chunk: a timer may fire up to a second late (the dev
    // server's are), and the chunks after a late one catch up, so the average rate holds.
    const ahead = began + (enrolled * 1000) / input.ratePerSecond - Date.now();
    if (ahead > 0 && chunk + 1 < input.chunks) await sleep(ahead);
  }
}
