import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { instanceWorkflowId } from '../../domain/ids';
import type { JourneyResult } from '../../workflows/contract';
import { CHAOS_JOURNEY } from './journey';

export interface InstanceOutcomes {
  results: Map<string, JourneyResult>;
  /** Users whose instance failed (or was terminated, cancelled, timed out), with why. */
  failed: Map<string, string>;
  /** Users whose instance had not closed by the deadline. */
  unfinished: string[];
  /** Users with no instance at all (their enrolment never started one). */
  notStarted: string[];
}

/** Waits for every user's instance to close and takes its result (the instance's own account of its path). */
export async function awaitInstances(client: Client, userIds: readonly string[], deadline: number): Promise<InstanceOutcomes> {
  const outcomes: InstanceOutcomes = { results: new Map(), failed: new Map(), unfinished: [], notStarted: [] };
  await Promise.all(
    userIds.map(async (userId) => {
      const handle = client.workflow.getHandle(instanceWorkflowId(CHAOS_JOURNEY, userId));
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) return void outcomes.unfinished.push(userId);
        try {
          // result() long-polls; a bounded wait lets the deadline hold.
          const result = await Promise.race([handle.result() as Promise<JourneyResult>, sleep(Math.min(left, 60_000), 'waiting' as const)]);
          if (result === 'waiting') continue;
          return void outcomes.results.set(userId, result);
        } catch (error) {
          if (error instanceof WorkflowFailedError)
            return void outcomes.failed.set(userId, `${error.message}: ${error.cause?.message ?? ''}`);
          // History reads are consistent: no workflow now means none was ever started for the user.
          if (error instanceof WorkflowNotFoundError) return void outcomes.notStarted.push(userId);
          await sleep(1_000); // the server is unreachable for a moment: ask again
        }
      }
    }),
  );
  return outcomes;
}

export interface RunCounts {
  /** Closed runs by status, from visibility (continued-as-new runs left out). */
  byStatus: Record<string, number>;
  /** Workflow ids with more than one run that is not a continue-as-new: a user entered twice. */
  repeated: string[];
}

/** Every run of the journey's instances, from Temporal visibility, once it lists them all as closed. */
export async function visibilityRuns(client: Client, expected: number, deadline: number): Promise<RunCounts> {
  for (;;) {
    const byStatus: Record<string, number> = {};
    const runsPerId = new Map<string, number>();
    for await (const execution of client.workflow.list({ query: `JourneyId = "${CHAOS_JOURNEY}"` })) {
      const status = execution.status.name;
      if (status === 'CONTINUED_AS_NEW') continue;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      runsPerId.set(execution.workflowId, (runsPerId.get(execution.workflowId) ?? 0) + 1);
    }
    const closed = Object.entries(byStatus)
      .filter(([status]) => status !== 'RUNNING')
      .reduce((sum, [, n]) => sum + n, 0);
    // Visibility is eventually consistent: wait until it has caught up with the results, or the deadline.
    if ((closed >= expected && !byStatus.RUNNING) || Date.now() > deadline) {
      return { byStatus, repeated: [...runsPerId].filter(([, runs]) => runs > 1).map(([id]) => id) };
    }
    await sleep(2_000);
  }
}
