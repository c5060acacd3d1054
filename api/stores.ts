import type { Models } from '../store/mongo/models';
import { createBatchStore } from '../store/batches';
import { createEntryStore } from '../store/entries';
import { createEventStore } from '../store/events';
import { createExperimentStore } from '../store/experiments';
import { createFactStore } from '../store/facts';
import { createIdempotencyStore } from '../store/idempotency';
import { createReportCounters } from '../store/report-counters';

/**
 * The stores only the API's handlers use, built once per app (the fact store keeps per-process append lanes,
 * so one instance serves every route). Stores shared with the rest of a process come in through `AppDeps`.
 */
export function createApiStores(models: Models) {
  const facts = createFactStore(models);
  return {
    batches: createBatchStore(models),
    entries: createEntryStore(models),
    events: createEventStore(models),
    experiments: createExperimentStore(models),
    facts,
    idempotency: createIdempotencyStore(models),
    reportCounters: createReportCounters(models, facts),
  };
}

export type ApiStores = ReturnType<typeof createApiStores>;
