import type { Client } from '@temporalio/client';
import { serviceTaskQueue } from '../domain/naming';
import type { BatchEntryInput, BatchEntryWorkflow } from '../workflows/contract';

/** Starting the batch-entry service workflow (workflows/services/batch-entry.ts) from the API. */

export function batchEntryWorkflowId(batchId: string): string {
  return `batch-entry:${batchId}`;
}

/** Starts the enrolment of a stored batch; returns once Temporal has recorded the start. */
export async function startBatchEntry(
  client: Client,
  taskQueue: string,
  batch: BatchEntryInput & { journeyId: string; users: number },
): Promise<string> {
  const workflowId = batchEntryWorkflowId(batch.batchId);
  const input: BatchEntryInput = { batchId: batch.batchId, chunks: batch.chunks, ratePerSecond: batch.ratePerSecond };
  await client.workflow.start<BatchEntryWorkflow>('batchEntryWorkflow', {
    workflowId,
    taskQueue: serviceTaskQueue(taskQueue),
    args: [input],
    staticSummary: `Enrol **${batch.users}** users in **${batch.journeyId}** at ${batch.ratePerSecond}/s (batch \`${batch.batchId}\`)`,
  });
  return workflowId;
}
