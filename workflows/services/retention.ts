import { continueAsNew, log, patched, workflowInfo } from '@temporalio/workflow';
import { RETENTION_KINDS } from '../../domain/retention/kinds';
import { PATCHES } from '../patches';
import { type RetentionInput, type RetentionResult } from '../contract';
import { maintenance } from './activities';

/** Records deleted per activity call: one call never holds a long delete. */
const DEFAULT_BATCH_SIZE = 500;

/**
 * The retention service, started by the Temporal Schedule `retention:{taskQueue}` (temporal/services.ts):
 * reads the cutoffs once (settings and clock, in an activity), then deletes each kind of record older than its
 * period in bounded batches until a batch comes back short. Idempotent: a second run deletes what is left
 * (nothing, when the first finished). Long runs continue as new with their counts.
 */
export async function retentionWorkflow(input: RetentionInput = {}): Promise<RetentionResult> {
  const limit = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const cutoffs = input.progress?.cutoffs ?? (await maintenance.retentionCutoffs());
  const deleted: RetentionResult['deleted'] = { ...emptyCounts(), ...input.progress?.deleted };
  const start = input.progress ? RETENTION_KINDS.indexOf(input.progress.kind) : 0;
  for (const kind of RETENTION_KINDS.slice(start)) {
    // App messages were added to a loop runs had already recorded: a run replayed from before never prunes them,
    // nor does a run continued from one (its cutoffs have none).
    if (kind === 'appMessages' && (cutoffs.appMessages === undefined || !patched(PATCHES.retentionAppMessages))) continue;
    for (;;) {
      const result = await maintenance.pruneExpired({ kind, ...cutoffs[kind], limit });
      deleted[kind] += result.deleted;
      deleted.deliveryAttempts += result.attempts ?? 0;
      deleted.sendSlots += result.sendSlots ?? 0;
      if (!result.more) break;
      if (workflowInfo().continueAsNewSuggested) {
        await continueAsNew<typeof retentionWorkflow>({ ...input, progress: { kind, cutoffs, deleted } });
      }
    }
  }
  log.info('retention run done', { deleted });
  return { deleted, cutoffs };
}

function emptyCounts(): RetentionResult['deleted'] {
  return { events: 0, facts: 0, deliveries: 0, deliveryAttempts: 0, sendSlots: 0, sinkMessages: 0, batchChunks: 0, appMessages: 0 };
}
