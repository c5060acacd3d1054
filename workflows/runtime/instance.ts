import { patched, workflowInfo } from '@temporalio/workflow';
import type { JourneyGraph } from '../../shared/definition/schema';
import { triggerEvent, type ExitReason, type JourneyInput, type Waiting } from '../context';
import { experimentGoalsOf } from '../../shared/experiments/goals';
import { createInstanceState, type InstanceState, type ReceivedEvent } from '../state';
import { FactLog } from './facts';
import { goalMetBy } from './goals';
import { rulesOf, type JourneyRules } from './rules';

/** The patch id of the immediate write of experiment conversions. */
export const EXPERIMENT_GOAL_WRITE = 'experiment-goal-write';

/** How an instance ends: one reason, decided once (the first one wins), and the goal met if any. */
export interface ExitRecord {
  reason: ExitReason;
  goalId?: string;
}

/**
 * Everything one run of the journey workflow knows about its instance. Signal handlers and the interpreter
 * loop share it; it holds ids, counters and deadlines only (what continue-as-new carries).
 */
export class Instance {
  readonly state: InstanceState = createInstanceState();
  /** The entry's identity: the first run id, the same in every run after continue-as-new. */
  readonly runId: string;
  readonly facts: FactLog;
  graph?: JourneyGraph;
  rules?: JourneyRules;
  /** Admitted (target or control): from then on, goals count. */
  inside = false;
  entry?: number;
  control = false;
  enteredAt?: number;
  timeoutAt?: number;
  path: string[] = [];
  currentNode?: string;
  waiting?: Waiting;
  exit?: ExitRecord;
  /** Events with a `seq` below this were received before entry (or checked already): never a goal. */
  private goalCursor = 0;

  constructor(readonly input: JourneyInput) {
    const info = workflowInfo();
    this.runId = info.firstExecutionRunId;
    this.facts = new FactLog({
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

  /** Goals count from now on: events received so far (before entry) are never goals. */
  admit(fromSeq = this.state.received): void {
    this.inside = true;
    this.goalCursor = fromSeq;
    this.checkGoals();
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
      const goal = this.rules.goals.length > 0 ? goalMetBy(this.rules.goals, event, triggerEvent(this.input)) : undefined;
      if (goal) {
        this.end({ reason: 'goal', goalId: goal.id });
        break;
      }
    }
    // Reports and the auto re-weighting see a conversion now, not when the node in progress ends (an ending
    // instance writes it with its exit). Instances that started before this write existed replay without it.
    if (scored && !this.exit && patched(EXPERIMENT_GOAL_WRITE)) this.facts.flushInBackground();
  }

  /** The experiment goals this event meets (each counts once per experiment), as facts. */
  private scoreExperiments(event: ReceivedEvent): boolean {
    let scored = false;
    for (const [nodeId, tracker] of Object.entries(this.state.experimentGoals)) {
      const node = this.graph?.nodes[nodeId];
      const path = this.state.experiments[nodeId];
      if (event.seq < tracker.from || node?.type !== 'experiment' || path === undefined) continue;
      for (const goal of experimentGoalsOf(node, this.rules!.goals)) {
        if (tracker.met.includes(goal.id) || !goalMetBy([goal], event, triggerEvent(this.input))) continue;
        tracker.met.push(goal.id);
        this.facts.add({ kind: 'experiment_goal', nodeId, path, goalId: goal.id });
        scored = true;
      }
    }
    return scored;
  }
}
