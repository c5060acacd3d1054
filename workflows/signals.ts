import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ExitReason } from './context';

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
}

/** The `event` signal. Also importable from client code (API, tests) to signal instances. */
export const eventSignal = defineSignal<[JourneyEvent]>('event');

/**
 * The `stop` signal: the instance exits at once with this reason (the node in progress is cancelled, no
 * further send starts). `stopped`: the version was stopped in `exit` mode; `version_exit`: a newer version
 * was published with `stop` for this one. Drain mode sends nothing (instances just finish).
 */
export interface StopRequest {
  reason: 'stopped' | 'version_exit';
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
}

/** The `state` query, for operators (Temporal UI, CLI) and tests. */
export const stateQuery = defineQuery<JourneyStateView>('state');
