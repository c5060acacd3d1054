import { workflowInfo } from '@temporalio/workflow';
import type { AccountAtEntry } from '../../domain/account-at-entry';
import type { JourneyGraph } from '../../domain/definition/schema';
import { triggerEvent, type Waiting } from '../context';
import { type ExitReason, type JourneyInput, type ReceivedEvent, type SentMessage } from '../contract';
import { experimentGoalsOf } from '../../domain/experiments/goals';
import { createInstanceState, type InstanceState } from '../state';
import { Patches, PATCHES } from '../patches';
import { countsForGoal, triggerIdOf } from './event-time';
import { FactLog } from './facts';
import { creditedMessage, goalMetBy, MAX_KEPT_SENDS, profileGoalMetBy } from './goals';
import { rulesOf, type JourneyRules } from './rules';

/** A profile change as the instance weighs it: the goals' paths before and after, and its time (ms). */
export interface ProfileChangeAt {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  at: number;
}

/** Profile changes kept while the instance is not admitted yet (the latest). */
const MAX_EARLY_PROFILE_CHANGES = 10;

/** How an instance ends: one reason, decided once (the first one wins), and the goal met if any. */
export interface ExitRecord {
  reason: ExitReason;
  goalId?: string;
  /** Event time of the goal event (event time only): the goal fact's time. */
  at?: number;
}

/**
 * Everything one run of the journey workflow knows about its instance. Signal handlers and the interpreter
 * loop share it; it holds ids, counters and deadlines only (what continue-as-new carries).
 */
export class Instance {
  readonly state: InstanceState = createInstanceState(() => this.patches.hasSinceLean(PATCHES.boundedState));
  /** The workflow patches this instance runs with (asked before anything else). */
  readonly patches = new Patches();
  /** The entry's identity: the first run id, the same in every run after continue-as-new. */
  readonly runId: string;
  readonly facts: FactLog;
  graph?: JourneyGraph;
  rules?: JourneyRules;
  /** Admitted (target or control): from then on, goals count. */
  inside = false;
  entry?: number;
  control = false;
  /** Held out by the account's global control group (then `control` too). */
  globalControl = false;
  /** The account settings the entry claim returned, kept for the instance's life. */
  account?: AccountAtEntry;
  /** Logical entry time: the instance's start (event time), or when its claim was processed (before the patch). */
  enteredAt?: number;
  /**
   * Decisions by event time (the `event-time` patch): goals and waits count events by when they happened,
   * not by when they reached this run. False only when replaying an instance that started before the patch.
   */
  readonly eventTime: boolean;
  /** Logical time at which the user reached the current position (event time only). */
  reachedAt = 0;
  /** The trigger event's id: it is never a goal or a wait's event. */
  readonly triggerId: string | undefined;
  timeoutAt?: number;
  path: string[] = [];
  currentNode?: string;
  waiting?: Waiting;
  exit?: ExitRecord;
  /**
   * A goal met (event time) that has not ended the instance yet: it does when the instance is still inside at
   * its time, i.e. unless the node in progress decides before it (see `settlesBefore`).
   */
  pendingGoal?: { goalId: string; at: number };
  /**
   * Whether the node in progress decides (or has decided) before an instant, from what the instance knows:
   * a wait whose event came earlier, a timer due earlier. A node that can tell neither answers false, and a
   * goal ends it at once (a send in progress).
   */
  private settles: (at: number) => boolean = (at) => this.reachedAt < at;
  /** Events with a `seq` below this were received before entry (or checked already): never a goal. */
  private goalCursor = 0;
  /** Profile changes signalled before goals counted (before the graph or the claim): checked at admission. */
  private earlyProfileChanges: ProfileChangeAt[] = [];
  /** The latest confirmed sends (carried by continue-as-new): a goal is credited to the last one before it. */
  sends: SentMessage[] = [];

  constructor(readonly input: JourneyInput) {
    this.eventTime = this.patches.has(PATCHES.eventTime);
    this.triggerId = triggerIdOf(triggerEvent(input));
    const info = workflowInfo();
    this.runId = info.firstExecutionRunId;
    this.facts = new FactLog(this.patches, {
      journeyId: input.journeyId,
      version: input.version,
      instanceId: info.workflowId,
      runId: this.runId,
      userId: input.userId,
    });
  }

  useGraph(graph: JourneyGraph): void {
    this.graph = graph;
    this.rules = rulesOf(graph);
  }

  /** Ends the instance with this reason unless it already has one (exactly one reason per instance). */
  end(exit: ExitRecord): void {
    this.exit ??= exit;
  }

  /**
   * Goals count from now on. `fromSeq`: the events already checked (a run that continues an instance). A new
   * entry checks every event received so far: by event time those that happened since the entry count (the
   * signal may have come before the worker processed the entry); before the patch none of them did.
   */
  admit(fromSeq?: number): void {
    this.inside = true;
    this.goalCursor = fromSeq ?? (this.eventTime ? 0 : this.state.received);
    for (const change of this.earlyProfileChanges.splice(0)) this.checkProfileGoals(change);
    this.checkGoals();
  }

  /**
   * A profile change (a write through the API, or an updateProfile node of this instance): the first profile
   * goal it makes true is met at the change's time, if that is at or after entry (weighed like an event goal).
   */
  profileChanged(change: ProfileChangeAt): void {
    if (this.exit) return;
    if (!this.inside) {
      this.earlyProfileChanges.push(change);
      if (this.earlyProfileChanges.length > MAX_EARLY_PROFILE_CHANGES) this.earlyProfileChanges.shift();
      return;
    }
    this.checkProfileGoals(change);
    if (this.eventTime) this.considerGoal();
  }

  private checkProfileGoals(change: ProfileChangeAt): void {
    if (this.exit || !this.rules) return;
    const goal = profileGoalMetBy(this.rules.goals, change.before, change.after);
    if (!goal) return;
    if (!this.eventTime) return this.end({ reason: 'goal', goalId: goal.id });
    if (change.at < this.enteredAt!) return;
    if (!this.pendingGoal || change.at < this.pendingGoal.at) this.pendingGoal = { goalId: goal.id, at: change.at };
  }

  /** A send the provider confirmed at a message node (logical time), for goal attribution. */
  noteSent(nodeId: string, at: number): void {
    this.sends.push({ nodeId, at });
    if (this.sends.length > MAX_KEPT_SENDS) this.sends.shift();
  }

  /** The message node a goal met at `at` is credited to (within the conversion window), if any. */
  creditFor(at: number): string | undefined {
    return creditedMessage(this.sends, at, this.rules?.conversionWindowMs);
  }

  /** The node in progress says when it decides (event time); a pending goal is weighed against it at once. */
  settlesBefore(settles: (at: number) => boolean): void {
    this.settles = settles;
    this.considerGoal();
  }

  /** A pending goal ends the instance unless the node in progress decides before the goal happened. */
  considerGoal(): void {
    if (this.pendingGoal && !this.exit && !this.settles(this.pendingGoal.at)) this.takeGoal();
  }

  /** The node in progress decided at `at`: a goal that happened by then wins over its route. */
  goalBy(at: number): boolean {
    if (this.pendingGoal && !this.exit && this.pendingGoal.at <= at) this.takeGoal();
    return this.exit !== undefined;
  }

  private takeGoal(): void {
    const { goalId, at } = this.pendingGoal!;
    this.end({ reason: 'goal', goalId, at });
  }

  /** Logical time moves on to `at` (never back). */
  reach(at: number): void {
    if (at > this.reachedAt) this.reachedAt = at;
  }

  /**
   * An experiment with goals of its own assigned a path: its goals count from now on (logical time, so events
   * that happened since but arrived before the assignment was processed count too).
   */
  trackExperimentGoals(nodeId: string): void {
    const tracker = { from: this.state.received, met: [], ...(this.eventTime ? { fromAt: this.reachedAt } : {}) };
    this.state.experimentGoals[nodeId] = tracker;
    if (!this.eventTime || !this.inside || this.exit) return;
    let scored = false;
    for (const event of this.state.events) if (event.seq < tracker.from) scored = this.scoreExperiments(event, nodeId) || scored;
    if (scored) this.facts.flushInBackground();
  }

  /**
   * Looks at the events not checked yet: each scores the experiments passed (their own goals, as
   * `experiment_goal` facts written at once), and the first that meets a journey goal ends the instance.
   */
  checkGoals(): void {
    if (!this.inside || this.exit || !this.rules) return;
    let scored = false;
    for (const event of this.state.events) {
      if (event.seq < this.goalCursor) continue;
      this.goalCursor = event.seq + 1;
      scored = this.scoreExperiments(event) || scored;
      const counts = !this.eventTime || countsForGoal(event, this.enteredAt!, this.triggerId);
      const goal = counts && this.rules.goals.length > 0 ? goalMetBy(this.rules.goals, event, triggerEvent(this.input)) : undefined;
      if (!goal) continue;
      if (!this.eventTime) {
        this.end({ reason: 'goal', goalId: goal.id });
        break;
      }
      if (!this.pendingGoal || event.at < this.pendingGoal.at) this.pendingGoal = { goalId: goal.id, at: event.at };
    }
    if (this.eventTime) this.considerGoal();
    // Reports and the auto re-weighting see a conversion now, not when the node in progress ends (an ending
    // instance writes it with its exit). Instances that started before this write existed replay without it.
    if (scored && !this.exit && this.patches.has(PATCHES.experimentGoalWrite)) this.facts.flushInBackground();
  }

  /** The experiment goals this event meets (each counts once per experiment; `only`: one experiment), as facts. */
  private scoreExperiments(event: ReceivedEvent, only?: string): boolean {
    let scored = false;
    for (const [nodeId, tracker] of Object.entries(this.state.experimentGoals)) {
      const node = this.graph?.nodes[nodeId];
      const path = this.state.experiments[nodeId];
      if ((only !== undefined && nodeId !== only) || node?.type !== 'experiment' || path === undefined) continue;
      const counts = tracker.fromAt !== undefined ? countsForGoal(event, tracker.fromAt, this.triggerId) : event.seq >= tracker.from;
      if (!counts) continue;
      for (const goal of experimentGoalsOf(node, this.rules!.goals)) {
        if (tracker.met.includes(goal.id) || !goalMetBy([goal], event, triggerEvent(this.input))) continue;
        tracker.met.push(goal.id);
        this.facts.add({ kind: 'experiment_goal', nodeId, path, goalId: goal.id }, tracker.fromAt !== undefined ? event.at : undefined);
        scored = true;
      }
    }
    return scored;
  }
}
