import type { EntryStore } from '../store/entries';
import type { FactStore } from '../store/facts';
import type { AccountSettingsReader } from './account-at-entry';
import { createEntryActivities } from './entries';
import { createFactActivities } from './facts';
import type { LifecycleActivities } from './lifecycle-types';

export interface LifecycleActivityDependencies {
  entries: Pick<EntryStore, 'claim' | 'close'>;
  facts: Pick<FactStore, 'record'>;
  /** The account settings an admitted instance keeps (time zone, global control group); without it, none. */
  settings?: AccountSettingsReader;
}

/** The bookkeeping the journey workflow runs as local activities: entries (claim, close) and facts. */
export function createLifecycleActivities({ entries, facts, settings }: LifecycleActivityDependencies): LifecycleActivities {
  return { ...createEntryActivities({ entries, ...(settings ? { settings } : {}) }), ...createFactActivities({ facts }) };
}
