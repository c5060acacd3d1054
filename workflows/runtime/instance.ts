import { workflowInfo } from '@temporalio/workflow';
import type { JourneyGraph } from '../../shared/definition/schema';
import { triggerEvent, type ExitReason, type JourneyInput, type Waiting } from '../context';
import { createInstanceState, type InstanceState } from '../state';
import { FactLog } from './facts';
import { goalMetBy } from './goals';
import { rulesOf, type JourneyRules } from './rules';

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

  /** Looks at the events not checked yet for a journey goal; the first met ends the instance with `goal`. */
  checkGoals(): void {
    if (!this.inside || this.exit || !this.rules || this.rules.goals.length === 0) return;
    for (const event of this.state.events) {
      if (event.seq < this.goalCursor) continue;
      this.goalCursor = event.seq + 1;
      const goal = goalMetBy(this.rules.goals, event, triggerEvent(this.input));
      if (goal) return this.end({ reason: 'goal', goalId: goal.id });
    }
  }
}
