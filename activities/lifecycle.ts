import type { EntryStore } from '../store/entries';
import type { FactStore } from '../store/facts';
import { createEntryActivities } from './entries';
import { createFactActivities } from './facts';
import type { LifecycleActivities } from './lifecycle-types';

export interface LifecycleActivityDependencies {
  entries: Pick<EntryStore, 'claim' | 'close'>;
  facts: Pick<FactStore, 'record'>;
}

/** The bookkeeping the journey workflow runs as local activities: entries (claim, close) and facts. */
export function createLifecycleActivities({ entries, facts }: LifecycleActivityDependencies): LifecycleActivities {
  return { ...createEntryActivities({ entries }), ...createFactActivities({ facts }) };
}
