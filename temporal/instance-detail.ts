import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { NotFoundError } from '../domain/errors';
import { stateQuery, type JourneyWorkflow } from '../workflows/contract';
import { instanceOfRun } from './instance-view';

/** The instance's latest run as Temporal describes it; 404 when Temporal does not know it (or no longer). */
export async function describeInstance(temporal: Client, workflowId: string) {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    const instance = instanceOfRun(description);
    if (instance) return { description, instance };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  throw new NotFoundError(`instance ${workflowId} does not exist (or Temporal no longer keeps it)`, { workflowId });
}

/** One instance: a running one with its `state` query, a completed one with its result, any other as listed. */
export async function instanceDetail(temporal: Client, workflowId: string) {
  const { description, instance } = await describeInstance(temporal, workflowId);
  const { source: _source, ...detail } = instance;
  const run = temporal.workflow.getHandle<JourneyWorkflow>(workflowId, description.runId, { followRuns: false });
  if (instance.status === 'running') return { ...detail, state: await run.query(stateQuery) };
  // Only a completed run has a result; a terminated or failed one has its status.
  if (instance.status === 'completed') return { ...detail, result: await run.result() };
  return detail;
}
