import type { JourneyGraph } from '../domain/definition/schema';
import type { Fact } from '../domain/facts';
import type { Patches } from './patches';
import type { InstanceState } from './state';
import type { ExitReason, JourneyInput } from './contract';

/** What a node waits for, shown by the `state` query and in Temporal UI. */
export interface Waiting {
  /** `time`, `event <name>`, `send (<channel>)`, `goal`. */
  for: string;
  /** Workflow time (ms) at which the wait ends, when it has an end. */
  until?: number;
}

/** What a node handler can see and do while the instance is on it. */
export interface NodeContext {
  input: JourneyInput;
  graph: JourneyGraph;
  nodeId: string;
  /** Identifies this entry of the user, stable across continue-as-new. */
  entryId: string;
  instanceId: string;
  /** Events received, errors and decisions of this instance. */
  state: InstanceState;
  /** The `seq` of the first event that arrived once the instance was at this node (a wait counts from it before the event-time patch). */
  since: number;
  /** Event time (see runtime/event-time.ts): waits and delays count from `reachedAt`, not from the workflow's clock. */
  eventTime: boolean;
  /** Logical time at which the user reached this node. */
  reachedAt: number;
  /** The trigger event's id, which no wait counts. */
  triggerId: string | undefined;
  /** The workflow patches of the instance. */
  patches: Patches;
  /** The account time zone the entry claim returned (absent for instances that entered before it did). */
  accountZone?: string;
  /** Lean history: the facts of the step, for a send to write with its own work (and to give back if it fails). */
  stepFacts?: { take(): Fact[]; putBack(batch: Fact[]): void };
  /** Event time: tells the instance whether this node decides before an instant (a pending goal's time). */
  settlesBefore(settles: (at: number) => boolean): void;
  /** An experiment with goals of its own assigned its path: score it from now on. */
  trackExperimentGoals(nodeId: string): void;
  /** A write of this node changed the profile (the paths profile goals read, before and after, at ms): goals weigh it. */
  profileChanged?(change: { before: Record<string, unknown>; after: Record<string, unknown>; at: number }): void;
  /**
   * Records a send's outcome now (its `message` fact, written at once, and goal attribution), for a node that
   * goes on waiting after the send (engagement): otherwise the outcome the node returns is recorded when it ends.
   */
  recordSend(send: SendOutcome): Promise<void>;
  /** Tells operators what the node waits for and until when (cleared when the node ends). */
  waiting(waiting: Waiting): void;
}

/** What a message node's send returned, recorded as a `message` fact. */
export interface SendOutcome {
  outcome: string;
  reason?: string;
  /** Counted as sent although the provider's answer was lost (the channel's in-doubt policy `skip`). */
  inDoubt?: true;
}

/**
 * A node either moves on through a named connector or ends the instance. `at`: the logical time the node
 * finished (a timer's instant, the event that ended a wait), for nodes that know it better than the clock.
 */
export type NodeOutcome = { connector: string; send?: SendOutcome; at?: number } | { exit: ExitReason };

/** The trigger event of the instance (`context.event`), if it entered on an event. */
export function triggerEvent(input: JourneyInput): unknown {
  return input.context?.event;
}
