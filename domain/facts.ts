/**
 * The fact journal's record: one immutable step of one instance. The journey workflow writes facts (through
 * its bookkeeping activities), the store keeps them, and the reports fold them into counters.
 */

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
  /**
   * Set on the `control` and `goal` facts of users held out by the account's global control group (counted
   * apart from the journey's own control group).
   */
  global?: true;
  /**
   * On a `goal` fact: the message node the conversion is credited to, the last one whose send the provider
   * confirmed before the goal, within the conversion window (absent when none, and on facts written before).
   */
  attributedTo?: string;
  /** Set on a `message` fact counted as sent although the provider's answer was lost (counted apart as in doubt). */
  inDoubt?: true;
  /** Workflow time, ISO-8601. */
  at: string;
}
