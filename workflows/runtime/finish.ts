import { CancellationScope } from '@temporalio/workflow';
import { hasOwnGoals } from '../../domain/experiments/goals';
import { lifecycle } from '../activities';
import type { JourneyResult } from '../contract';
import type { Instance } from './instance';
import { showExit } from './operators';

/** Experiments without goals of their own are scored by the journey goal that ended the instance. */
function scoreByJourneyGoal(inst: Instance, goalId: string, at: number): void {
  for (const [nodeId, path] of Object.entries(inst.state.experiments)) {
    const node = inst.graph?.nodes[nodeId];
    if (node?.type === 'experiment' && !hasOwnGoals(node)) inst.facts.add({ kind: 'experiment_goal', nodeId, path, goalId }, at);
  }
}

/** The message node the conversion is credited to: the last confirmed send before it, in the conversion window. */
function creditOf(inst: Instance, goalAt: number): { attributedTo?: string } {
  const nodeId = inst.creditFor(goalAt);
  return nodeId !== undefined ? { attributedTo: nodeId } : {};
}

/**
 * The end of every instance, whatever the reason: the `goal` and `exited` facts, the entry closed (so
 * re-entry and its cool-down count from now), the search attributes and the result. Not cancellable: a
 * cancelled workflow still writes its exit.
 */
export function finish(inst: Instance): Promise<JourneyResult> {
  return CancellationScope.nonCancellable(async () => {
    const exit = inst.exit ?? { reason: 'completed' as const };
    inst.exit = exit;
    inst.waiting = undefined;
    const nodeId = inst.currentNode;
    const at = new Date(Date.now()).toISOString();
    if (exit.goalId !== undefined) {
      // A conversion is dated by its event (event time), not by when the instance processed it.
      const goalAt = exit.at ?? Date.now();
      inst.facts.add(
        {
          kind: 'goal',
          goalId: exit.goalId,
          ...(nodeId !== undefined ? { nodeId } : {}),
          ...(inst.control ? { control: true as const } : {}),
          ...(inst.globalControl ? { global: true as const } : {}),
          ...creditOf(inst, goalAt),
        },
        goalAt,
      );
      scoreByJourneyGoal(inst, exit.goalId, goalAt);
    }
    inst.facts.add({ kind: 'exited', reason: exit.reason, ...(nodeId !== undefined ? { nodeId } : {}) });
    showExit(inst);
    await inst.facts.flush();
    if (inst.entry !== undefined) {
      const { journeyId, userId } = inst.input;
      await lifecycle.closeEntry({
        journeyId,
        userId,
        entry: inst.entry,
        runId: inst.runId,
        reason: exit.reason,
        ...(nodeId !== undefined ? { nodeId } : {}),
        at,
      });
    }
    const { state } = inst;
    return {
      reason: exit.reason,
      ...(nodeId !== undefined ? { nodeId } : {}),
      path: inst.path,
      ...(exit.goalId !== undefined ? { goalId: exit.goalId } : {}),
      ...(inst.control ? { control: true as const } : {}),
      ...(inst.globalControl ? { globalControl: true as const } : {}),
      ...(state.errors.length > 0 ? { errors: state.errors } : {}),
      ...(state.enrolments.length > 0 ? { enrolments: state.enrolments } : {}),
    };
  });
}
