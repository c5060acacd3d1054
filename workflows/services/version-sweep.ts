import { log } from '@temporalio/workflow';
import { maintenance } from './activities';

/**
 * The version sweep, started by the Temporal Schedule `version-sweep:{taskQueue}` (temporal/version-sweep.ts):
 * one activity closes the entry of one-time segment versions whose last run is over, removes the schedules
 * of versions that admit nobody again, and hands completed versions to their drain workflow.
 */
export async function versionSweepWorkflow(input: { taskQueue: string }): Promise<{ closed: string[]; draining: string[] }> {
  const result = await maintenance.sweepVersions(input);
  if (result.closed.length > 0) log.info('version sweep closed entries', { closed: result.closed });
  return result;
}
