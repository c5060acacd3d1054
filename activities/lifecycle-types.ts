import type { AccountAtEntry } from '../domain/account-at-entry';
import type { Fact } from '../domain/facts';
import type { EntryClaim, EntryClose, EntryDecision } from '../store/entries';

/** A claim's answer; an admitted one also carries the account settings the instance keeps (absent in older histories). */
export type ClaimDecision = EntryDecision | (Extract<EntryDecision, { eligible: true }> & { account?: AccountAtEntry });

/**
 * The contract between the journey workflow and the bookkeeping activities that keep entries and facts.
 * Types only: the workflow imports them, activities/entries.ts and activities/facts.ts implement them.
 */
export interface LifecycleActivities {
  claimEntry(claim: EntryClaim): Promise<ClaimDecision>;
  closeEntry(close: EntryClose): Promise<void>;
  /** Stores facts; a fact whose id is already stored is skipped, so retries never count twice. */
  recordFacts(facts: Fact[]): Promise<void>;
}
