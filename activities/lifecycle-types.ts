/**
 * The contract between the journey workflow and the bookkeeping activities that keep entries and facts.
 * Types only: the workflow imports them, activities/entries.ts and activities/facts.ts implement them.
 */

/** Asked once at the start of an instance: may this user enter now? */
export interface EntryClaim {
  journeyId: string;
  version: number;
  userId: string;
  /** The workflow id, `journey:{journeyId}:user:{userId}`. */
  instanceId: string;
  /** The first run id of the instance: a retried claim with the same run id gets the same answer. */
  runId: string;
  reentry: { allowed: boolean; cooldown?: string };
  /** Workflow time of the claim, ISO-8601. */
  at: string;
}

export type EntryDecision =
  | { eligible: true; entry: number }
  | { eligible: false; reason: 'already_entered' | 'cooldown' | 'live_instance'; detail: string };

/** Told once when the instance ends, so re-entry and its cool-down count from the exit. Idempotent. */
export interface EntryClose {
  journeyId: string;
  userId: string;
  entry: number;
  runId: string;
  reason: string;
  nodeId?: string;
  at: string;
}

export type FactKind =
  | 'entered' // the instance was admitted (target or control)
  | 'control' // the user was drawn into the control group
  | 'node_entered' // the instance reached a node
  | 'moved' // it left a node through a connector
  | 'message' // a send's outcome at a message node
  | 'message_event' // the provider reported on a sent message (delivered, open, click, bounce...)
  | 'goal' // a journey goal was met
  | 'experiment_goal' // an experiment goal was met after the experiment node assigned a path (node, path, goal)
  | 'exited'; // the instance ended (reason, node)

/** One immutable step of one instance, for the reports. */
export interface Fact {
  /** Unique and stable across retries and replays: `${runId}:${sequence}`. */
  id: string;
  kind: FactKind;
  journeyId: string;
  version: number;
  instanceId: string;
  runId: string;
  userId: string;
  nodeId?: string;
  connector?: string;
  outcome?: string;
  reason?: string;
  goalId?: string;
  /** Experiment path or split path taken, when the node has paths. */
  path?: string;
  /** Set on the `goal` facts of control-group users (their conversions are counted apart). */
  control?: true;
  /** Set on a `message` fact counted as sent although the provider's answer was lost (counted apart as in doubt). */
  inDoubt?: true;
  /** Workflow time, ISO-8601. */
  at: string;
}

export interface LifecycleActivities {
  claimEntry(claim: EntryClaim): Promise<EntryDecision>;
  closeEntry(close: EntryClose): Promise<void>;
  /** Stores facts; a fact whose id is already stored is skipped, so retries never count twice. */
  recordFacts(facts: Fact[]): Promise<void>;
}
