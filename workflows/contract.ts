import type { Duration } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { RetentionKind } from '../domain/retention/kinds';
import type { AccountAtEntry } from '../domain/account-at-entry';

/**
 * What code outside the workflows may know of them: the workflow types with their inputs and results, the
 * signals and the query. Clients (the API, activities, tests) import this module, never the workflow
 * modules; it imports only `@temporalio/workflow` (signal and query definitions) and types.
 */

// ---- The journey workflow: one instance per user and entry ----

/** What the API passes when it starts an instance: ids and a small entry context, never profile documents. */
export interface JourneyInput {
  journeyId: string;
  version: number;
  userId: string;
  /** Small entry data; `context.event` is the trigger event (for event entry), read as `event` / `trigger`. */
  context?: Record<string, unknown>;
  /**
   * Internal: set only by the workflow itself when it continues as new (ids, counters and deadlines of the
   * run before). Callers never set it.
   */
  resume?: ResumeState;
}

/** Why an instance ended: each instance ends with exactly one. */
export const EXIT_REASONS = [
  'goal',
  'timeout',
  'exited',
  'completed',
  'version_exit',
  'stopped',
  'control',
  'not_eligible',
  // The user was erased (DELETE /v1/users/{id}).
  'erased',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface JourneyResult {
  /** The one exit reason of the instance. */
  reason: ExitReason;
  /** The node where the instance ended (absent when it never reached one: control, not eligible). */
  nodeId?: string;
  path: string[];
  /** The goal met, for reason `goal`. */
  goalId?: string;
  /** Present (true) for a control-group user. */
  control?: true;
  /** Present (true) when the account's global control group held the user out (then `control` too). */
  globalControl?: true;
  /** Failures that did not change the route (e.g. a profile write), when there were any. */
  errors?: NodeError[];
  /** What each enterJourney node did (`started`, `already_inside`...), when there were any. */
  enrolments?: EnrolmentRecord[];
}

/** The journey workflow's signature; its type name is `journeyWorkflow`. */
export type JourneyWorkflow = (input: JourneyInput) => Promise<JourneyResult>;

/**
 * An event of the user, delivered to their instance by ingestion (`journey:{J}:user:{U}`).
 * Small on purpose: the id de-duplicates redeliveries, the name and properties are what filters read.
 */
export interface JourneyEvent {
  /** Unique per event: a second signal with the same id is ignored. */
  id: string;
  name: string;
  properties?: Record<string, unknown>;
  /** When the event happened, ISO-8601. */
  timestamp: string;
  /**
   * When the API received it, ISO-8601. A timestamp of whole seconds (SendGrid's, many clients') says only
   * that the event happened within that second: it happened at the latest at min(end of that second, receipt).
   */
  ingestedAt?: string;
  /**
   * Set only by the engine's engagement recorder (temporal/engagement.ts), never from an API event's fields: the
   * message this event reports on, for a message node that waits for engagement (workflows/nodes/message.ts).
   */
  engagement?: { deliveryKey: string; kind: string };
}

/** The `event` signal. Also importable from client code (API, tests) to signal instances. */
export const eventSignal = defineSignal<[JourneyEvent]>('event');

/**
 * A change of the user's profile, delivered by the API after a write (`temporal/profile-goals.ts`) to the
 * instances of journeys with profile goals. Only the paths those goals read travel (PII stays out of history).
 */
export interface ProfileChange {
  /** When the write happened, ISO-8601: a change before the entry is no goal. */
  at: string;
  /** The values at the goals' profile paths before and after the write (profile view: attributes at the root). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** The `profileChanged` signal: a profile goal is met when the change makes its condition true. */
export const profileChangedSignal = defineSignal<[ProfileChange]>('profileChanged');

/**
 * The `stop` signal: the instance exits at once with this reason (the node in progress is cancelled, no
 * further send starts). `stopped`: the version was stopped in `exit` mode; `version_exit`: a newer version
 * was published with `stop` for this one; `erased`: the user was erased (sent without a version). Drain mode
 * sends nothing (instances just finish).
 */
export interface StopRequest {
  reason: 'stopped' | 'version_exit' | 'erased';
  /**
   * The version being stopped. When set, an instance of another version ignores the signal, so a stop may
   * be sent by workflow id alone (to the latest run, which survives continue-as-new) without touching a user
   * who has re-entered a newer version under the same workflow id.
   */
  version?: number;
}
export const stopSignal = defineSignal<[StopRequest]>('stop');

/** What the `state` query answers: where the instance is and why it waits, in plain data. */
export interface JourneyStateView {
  journeyId: string;
  version: number;
  userId: string;
  /** The entry's identity (first run id of the instance) and number (1 for the first entry of the user). */
  runId: string;
  entry?: number;
  status: 'active' | 'exited';
  /** Held out of the journey (control group): no node runs, goals are still tracked. */
  control: boolean;
  /** Present (true) when the account's global control group holds the user out (then `control` too). */
  globalControl?: true;
  /** The node the instance is on (absent before the first node and for control users). */
  currentNode?: string;
  /** What it waits for: `time`, `event checkout_started`, `send (email)`, `goal`... */
  waitingFor?: string;
  /** Until when it waits, ISO-8601 (absent for waits without an end, such as a send in progress). */
  until?: string;
  /** Nodes visited, in order (the current one last). */
  path: string[];
  /** Experiment node id -> path taken. */
  experiments: Record<string, string>;
  /** Ids of the journey's goals, and of those met (at most one: meeting a goal ends the instance). */
  goals: string[];
  goalsMet: string[];
  enteredAt?: string;
  /** When the journey timeout fires, if the journey has one. */
  timeoutAt?: string;
  exitReason?: ExitReason;
  /** Events received, kept for `includePrior` waits (count and about their JSON bytes), and dropped for the byte budget. */
  events?: { received: number; kept: number; keptBytes: number; dropped: number };
}

/** The `state` query, for operators (Temporal UI, CLI) and tests. */
export const stateQuery = defineQuery<JourneyStateView>('state');

/** An event as the instance keeps it: the payload plus its arrival order. */
export interface ReceivedEvent extends JourneyEvent {
  /** 0, 1, 2... in order of arrival at this instance (not reset when old events are dropped). */
  seq: number;
  /** Workflow time of arrival (ms since the epoch). */
  receivedAt: number;
  /**
   * When the event happened (ms since the epoch): its `timestamp` (the API's receive time, or the client's
   * within the allowed skew), else its arrival. Whether it counts for a goal or a wait is decided by this.
   */
  at: number;
  /** It decided a wait: it counts for no later wait (it may still be a goal). */
  used?: true;
}

/** Something that went wrong on a node without changing the route (e.g. a failed profile write). */
export interface NodeError {
  nodeId: string;
  message: string;
  at: number;
}

/** The outcome of an enterJourney node. */
export interface EnrolmentRecord {
  nodeId: string;
  journeyId: string;
  status: string;
}

export interface ExperimentGoalTracker {
  from: number;
  /** Event time: events that happened from this instant on score the experiment (`from` is then unused). */
  fromAt?: number;
  met: string[];
}

/** What the next run needs to go on where this one stopped: ids, counters and absolute deadlines only. */
export interface ResumeState {
  /** The node to enter next (its `node_entered` fact is not written yet). */
  nodeId: string;
  path: string[];
  /** The sequence number of the next fact. */
  factSeq: number;
  entry: number;
  control: boolean;
  /** Held out by the global control group (absent: no). */
  globalControl?: true;
  /** The account settings the entry claim returned (absent in states carried by older code). */
  account?: AccountAtEntry;
  enteredAt: number;
  /** Logical time at which the user reached `nodeId` (absent in states carried by older code). */
  reachedAt?: number;
  /** A goal met that had not ended the instance yet (event time). */
  pendingGoal?: { goalId: string; at: number };
  /** Absolute journey timeout (entry + T): the next run's timer fires at the same instant. */
  timeoutAt?: number;
  /**
   * De-duplication of event ids, the arrival counter, the events kept for `includePrior` waits, and how many
   * were dropped for the byte budget of kept events (absent when none, and in states carried by older code).
   */
  events: { ids: string[]; received: number; kept: ReceivedEvent[]; dropped?: number };
  experiments: Record<string, string>;
  /** Absent in states carried by older code. */
  experimentGoals?: Record<string, ExperimentGoalTracker>;
  errors: NodeError[];
  enrolments: EnrolmentRecord[];
  /** How many runs came before this one. */
  runs: number;
  /** The latest confirmed sends (message node, event time), for goal attribution (absent in states carried by older code). */
  sends?: SentMessage[];
}

/** A message node whose send the provider confirmed, and when (logical time): a goal is credited to the latest. */
export interface SentMessage {
  nodeId: string;
  at: number;
}

// ---- Service workflows: version maintenance, batch and segment entry, reports ----

/** Why instances are told to stop: the version was stopped (`stopped`) or replaced by a newer one (`version_exit`). */
export type StopReason = Exclude<StopRequest['reason'], 'erased'>;

export interface VersionStopInput {
  journeyId: string;
  version: number;
  reason: StopReason;
  /** Full passes over the running instances (default 2: the second catches what visibility showed late). */
  passes?: number;
  /** Wait between two passes (default 5 seconds). */
  settle?: Duration;
  /** Instances per visibility page (default 500). */
  pageSize?: number;
  /** Where a continued run picks up. */
  progress?: { pass: number; pageToken?: string; signalled: number };
}

export interface VersionStopResult {
  /** Stop signals delivered (an instance may count once per pass). */
  signalled: number;
}

export type VersionStopWorkflow = (input: VersionStopInput) => Promise<VersionStopResult>;

export interface VersionDrainInput {
  journeyId: string;
  version: number;
  /**
   * The longest wait between two counts of the running instances, in ms (default 1 minute). Counts start
   * 5 seconds apart and the wait doubles up to this, so a short drain ends soon and a long one costs little.
   */
  checkEveryMs?: number;
  /** A count of 0 is confirmed once more after this wait, in ms (visibility is eventually consistent; default 5 s). */
  confirmAfterMs?: number;
  /** Carried over continue-as-new. */
  waitMs?: number;
}

export interface VersionDrainResult {
  /** False when the version was no longer draining (stopped meanwhile, say); `code` says why. */
  stopped: boolean;
  code?: string;
}

export type VersionDrainWorkflow = (input: VersionDrainInput) => Promise<VersionDrainResult>;

export interface BatchEntryInput {
  batchId: string;
  /** Chunks of the batch's users in Mongo (store/batches.ts), enrolled in order. */
  chunks: number;
  /** Enrolments per second, on average: the workflow sleeps between chunks when it is ahead. */
  ratePerSecond: number;
  /** Where a continued run picks up. */
  nextChunk?: number;
}

export type BatchEntryWorkflow = (input: BatchEntryInput) => Promise<void>;

export interface SegmentRunInput {
  journeyId: string;
  version: number;
  /** Enrolments per second of the run's batch. */
  ratePerSecond: number;
}

export type SegmentRunWorkflow = (input: SegmentRunInput) => Promise<{ users: number }>;

/** Asks the reports service to recompute a journey's counters from its facts. */
export const rebuildReportsSignal = defineSignal<[journeyId: string]>('rebuildReports');

export interface ReportsInput {
  /** Rebuilds asked for and not done yet (carried over continue-as-new). */
  rebuilds?: string[];
  /** Pause between folds when the journal has nothing new (default 2 s). */
  idleMs?: number;
  /** How often auto experiments are checked for re-weighting (default 30 s; each node has its own interval). */
  experimentCheckMs?: number;
}

export type ReportsWorkflow = (input?: ReportsInput) => Promise<never>;

// ---- The retention service: prunes records past their retention period (settings), run by a Temporal Schedule ----

/** Per kind of record, the instant before which it is deleted (ISO-8601); deliveries also for the send slots. */
export type RetentionCutoffs = Record<RetentionKind, { before: string; slotsBefore?: string }>;

export interface RetentionInput {
  /** Records deleted per activity call (default 500). */
  batchSize?: number;
  /** Where a continued run picks up: the kind in progress, the cutoffs of the run and the counts so far. */
  progress?: {
    kind: RetentionKind;
    cutoffs: RetentionCutoffs;
    deleted: RetentionResult['deleted'];
  };
}

export interface RetentionResult {
  /** Records deleted per kind (delivery attempts inside their deliveries, send slots with them). */
  deleted: Record<RetentionKind | 'deliveryAttempts' | 'sendSlots', number>;
  /** The instants before which each kind was deleted. */
  cutoffs: RetentionCutoffs;
}

export type RetentionWorkflow = (input?: RetentionInput) => Promise<RetentionResult>;
