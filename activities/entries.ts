import type { EntryClaim, EntryClose, EntryStore } from '../store/entries';
import { accountAtEntry, type AccountSettingsReader } from './account-at-entry';
import type { ClaimDecision } from './lifecycle-types';

export interface EntryActivityDependencies {
  entries: Pick<EntryStore, 'claim' | 'close'>;
  /** The account settings an admitted instance keeps (time zone, global control group); without it, none. */
  settings?: AccountSettingsReader;
}

/** Entry bookkeeping of the journey workflow (local activities): admit an instance, record its exit. */
export function createEntryActivities({ entries, settings }: EntryActivityDependencies) {
  return {
    /** May this user enter now? Idempotent per run id; the entries collection is the only authority. */
    async claimEntry(claim: EntryClaim): Promise<ClaimDecision> {
      const decision = await entries.claim(claim);
      if (!decision.eligible || !settings) return decision;
      return { ...decision, account: await accountAtEntry(settings, claim.userId) };
    },

    /** Records the exit once, so re-entry and its cool-down count from it. */
    async closeEntry(close: EntryClose): Promise<void> {
      await entries.close(close);
    },
  };
}

export type EntryActivities = ReturnType<typeof createEntryActivities>;
