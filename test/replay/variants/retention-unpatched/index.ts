/**
 * A deliberately unpatched change of the retention workflow, for test/replay/retention-replay.test.ts: after the
 * current loop, one more prune of app messages, as if the new kind had been added without `patched`. A run
 * recorded before app messages ends where this code asks for an activity, so its replay must fail.
 */
import type { RetentionInput, RetentionResult } from '../../../../workflows/contract';
import { maintenance } from '../../../../workflows/services/activities';
import { retentionWorkflow as current } from '../../../../workflows/services/retention';

export async function retentionWorkflow(input: RetentionInput = {}): Promise<RetentionResult> {
  const result = await current(input);
  await maintenance.pruneExpired({ kind: 'appMessages', before: new Date(0).toISOString(), limit: 1 });
  return result;
}
