import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ConflictError } from '../domain/errors';
import { stopSignal } from '../workflows/contract';
import { describeInstance } from './instance-detail';

function instanceClosed(workflowId: string, status: string): ConflictError {
  // Not `status`: that is the problem's HTTP status.
  return new ConflictError(
    `instance ${workflowId} has already ended (${status})`,
    { workflowId, instanceStatus: status },
    'instance_closed',
  );
}

/** Makes a running instance exit now with reason `stopped`; 409 `instance_closed` when it has already ended. */
export async function exitInstance(temporal: Client, workflowId: string) {
  const { instance } = await describeInstance(temporal, workflowId);
  if (instance.status !== 'running') throw instanceClosed(instance.workflowId, instance.status);
  try {
    // By workflow id, so a run that continued as new gets it; with the version, so a user who re-entered
    // a newer version meanwhile ignores it.
    await temporal.workflow.getHandle(workflowId).signal(stopSignal, { reason: 'stopped', version: instance.version });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw instanceClosed(instance.workflowId, 'closed meanwhile');
    throw error;
  }
  return { workflowId: instance.workflowId, runId: instance.runId, reason: 'stopped' as const };
}
