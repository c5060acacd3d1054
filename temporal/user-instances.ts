import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { stopSignal } from '../workflows/contract';
import { deploymentInstances, visibilityQuote } from './visibility';

/** How long an erasure waits for a signalled instance to finish on its own before terminating it. */
const END_WAIT_MS = 20_000;

/** The running instances of a user in every journey of this deployment (search attribute `UserId`, set at start). */
export function runningUserInstancesQuery(userId: string, taskQueue: string): string {
  return `${deploymentInstances(taskQueue)} AND UserId = ${visibilityQuote(userId)} AND ExecutionStatus = "Running"`;
}

async function listRunning(temporal: Client, userId: string, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of temporal.workflow.list({ query: runningUserInstancesQuery(userId, taskQueue) })) ids.push(info.workflowId);
  return ids;
}

/**
 * Ends every running instance of a user with reason `erased` and waits until each has closed, so none writes
 * after the erasure. `known` adds instance ids the caller found elsewhere (open enrolment records), because
 * visibility shows a just-started instance late. Each instance gets the `stop` signal (it exits through its
 * own code: exit fact, entry closed); one still running after END_WAIT_MS (no worker, say) is terminated.
 */
export async function endUserInstances(
  temporal: Client,
  taskQueue: string,
  userId: string,
  known: readonly string[] = [],
): Promise<number> {
  const workflowIds = [...new Set([...(await listRunning(temporal, userId, taskQueue)), ...known])];
  const ended = await Promise.all(
    workflowIds.map(async (workflowId) => {
      // By workflow id without a version: the latest run, whatever version it is in.
      const handle = temporal.workflow.getHandle(workflowId);
      try {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') return false;
        await handle.signal(stopSignal, { reason: 'erased' });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), END_WAIT_MS);
      });
      const outcome = await Promise.race([
        handle.result().then(
          () => 'closed' as const,
          () => 'closed' as const,
        ),
        timedOut,
      ]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        await handle.terminate('erased: the user was erased and the instance did not stop in time').catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
      }
      return true;
    }),
  );
  return ended.filter(Boolean).length;
}
