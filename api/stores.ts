import type { Models } from '../shared/mongo/models';
import { createBatchStore } from '../shared/store/batches';
import { createEntryStore } from '../shared/store/entries';
import { createEventStore } from '../shared/store/events';
import { createExperimentStore } from '../shared/store/experiments';
import { createFactStore } from '../shared/store/facts';
import { createIdempotencyStore } from '../shared/store/idempotency';
import { createReportCounters } from '../shared/store/report-counters';

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
