import type { ExperimentNode, Goal } from '../definition/schema';

/**
 * The goals that score an experiment's paths: its own (ids `goal-1`, `goal-2`... in order), or, when it
 * declares none, the journey goals. Auto mode optimises the first of them. Zod-free: workflow code uses it.
 */
export function experimentGoalsOf(node: Pick<ExperimentNode, 'goals'>, journeyGoals: readonly Goal[]): Goal[] {
  if (node.goals && node.goals.length > 0) return node.goals.map((goal, index) => ({ ...goal, id: `goal-${index + 1}` }));
  return [...journeyGoals];
}

/** True when the experiment declares goals of its own (scored while the instance runs, not at its exit). */
export function hasOwnGoals(node: Pick<ExperimentNode, 'goals'>): boolean {
  return (node.goals?.length ?? 0) > 0;
}
