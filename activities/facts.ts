import type { FactStore } from '../store/facts';
import type { Fact } from '../domain/facts';

export interface FactActivityDependencies {
  facts: Pick<FactStore, 'record'>;
}

/** Fact recording of the journey workflow (an activity per step, batched by the workflow). */
export function createFactActivities({ facts }: FactActivityDependencies) {
  return {
    /** Stores facts; ids already stored are skipped, so a retried batch never counts twice. */
    async recordFacts(batch: Fact[]): Promise<void> {
      await facts.record(batch);
    },
  };
}

export type FactActivities = ReturnType<typeof createFactActivities>;
