import type { JourneyGraph } from '../shared/definition/schema';

/** What the API passes when it starts an instance: ids and a small entry context, never profile documents. */
export interface JourneyInput {
  journeyId: string;
  version: number;
  userId: string;
  context?: Record<string, unknown>;
}

/** Exit reasons of spec section 5. */
export type ExitReason =
  | 'goal'
  | 'timeout'
  | 'exited'
  | 'completed'
  | 'version_exit'
  | 'stopped'
  | 'control'
  | 'not_eligible';

export interface JourneyResult {
  reason: ExitReason;
  /** The node where the instance ended (absent when it never reached one). */
  nodeId?: string;
  path: string[];
}

/** What a node handler can see and do while the instance is on it. */
export interface NodeContext {
  input: JourneyInput;
  graph: JourneyGraph;
  nodeId: string;
  /** Identifies this entry of the user, stable across continue-as-new. */
  entryId: string;
  instanceId: string;
}

/** A node either moves on through a named connector or ends the instance. */
export type NodeOutcome = { connector: string } | { exit: ExitReason };
