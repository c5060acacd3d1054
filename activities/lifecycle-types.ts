import type { Fact } from '../domain/facts';
import type { EntryClaim, EntryClose, EntryDecision } from '../store/entries';

/**
 * The contract between the journey workflow and the bookkeeping activities that keep entries and facts.
 * Types only: the workflow imports them, activities/entries.ts and activities/facts.ts implement them.
 */
export interface LifecycleActivities {
  claimEntry(claim: EntryClaim): Promise<EntryDecision>;
  closeEntry(close: EntryClose): Promise<void>;
  /** Stores facts; a fact whose id is already stored is skipped, so retries never count twice. */
  recordFacts(facts: Fact[]): Promise<void>;
}
