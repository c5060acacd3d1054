import type { EntryClaim, EntryClose, EntryDecision, EntryStore } from '../store/entries';

export interface EntryActivityDependencies {
  entries: Pick<EntryStore, 'claim' | 'close'>;
}

/** Entry bookkeeping of the journey workflow (local activities): admit an instance, record its exit. */
export function createEntryActivities({ entries }: EntryActivityDependencies) {
  return {
    /** May this user enter now? Idempotent per run id; the entries collection is the only authority. */
    async claimEntry(claim: EntryClaim): Promise<EntryDecision> {
      return entries.claim(claim);
    },

    /** Records the exit once, so re-entry and its cool-down count from it. */
    async closeEntry(close: EntryClose): Promise<void> {
      await entries.close(close);
    },
  };
}

export type EntryActivities = ReturnType<typeof createEntryActivities>;
