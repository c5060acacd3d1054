import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { NodeOfType } from '../../domain/definition/schema';
import { hasOwnGoals } from '../../domain/experiments/goals';
import { experimentPathKey, journeyNodeKey } from '../../domain/search-attributes';
import { PATCHES } from '../patches';
import { bookkeeping } from '../activities';
import type { NodeContext, NodeOutcome } from '../context';
import { mixedUnitHash, unitHash } from '../../domain/hash';

/**
 * The path of a user at an experiment node: `draw` (in [0, 1)) mapped over the cumulative weights of the
 * paths in their declared order. Weights of unknown paths, negative or non-numeric ones are ignored; when no
 * path has a positive weight, all paths share equally.
 */
export function pickWeightedPath(paths: readonly string[], weights: Readonly<Record<string, number>>, draw: number): string {
  if (paths.length === 0) throw new Error('an experiment needs paths');
  const usable = paths.map((path) => {
    const weight = Object.prototype.hasOwnProperty.call(weights, path) ? weights[path] : undefined;
    return typeof weight === 'number' && Number.isFinite(weight) && weight > 0 ? weight : 0;
  });
  let total = usable.reduce((sum, weight) => sum + weight, 0);
  const shares = total > 0 ? usable : paths.map(() => 1);
  if (total <= 0) total = paths.length;
  let cumulative = 0;
  for (let i = 0; i < paths.length; i++) {
    cumulative += shares[i]! / total;
    if (draw < cumulative) return paths[i]!;
  }
  // Rounding: the draw is below 1 but the sum of shares came out just under it.
  for (let i = paths.length - 1; i >= 0; i--) if (shares[i]! > 0) return paths[i]!;
  return paths[paths.length - 1]!;
}

/**
 * The sticky draw of a user at an experiment node: the same (journey, node, user) always draws the same.
 * `mixed` (every instance started since the patch): plain FNV-1a sent ids that differ only at their end
 * (`user-1`, `user-2`...) to one path, so the draw mixes the hash first; the old draw stays for the replay of
 * instances that drew with it.
 */
export function experimentDraw(journeyId: string, nodeId: string, userId: string, mixed = true): number {
  const key = `${journeyId}:${nodeId}:${userId}`;
  return mixed ? mixedUnitHash(key) : unitHash(key);
}

/**
 * Experiment (IntelliNODE): a declared winner takes every new instance; otherwise weighted and sticky per
 * (journey, node, user). Weights are read now (manual weights are editable in place; auto mode reads the
 * current re-weighting). The path is recorded in `ExperimentPath` as `node:path`.
 */
export async function runExperiment(node: NodeOfType<'experiment'>, ctx: NodeContext): Promise<NodeOutcome> {
  const { journeyId, version, userId } = ctx.input;
  const paths = Object.keys(node.paths);
  const current = await bookkeeping.experimentWeights(journeyId, version, ctx.nodeId);
  const path =
    current.winner !== undefined && paths.includes(current.winner)
      ? current.winner
      : pickWeightedPath(
          paths,
          current.weights,
          experimentDraw(journeyId, ctx.nodeId, userId, ctx.patches.has(PATCHES.evenExperimentDraw)),
        );

  ctx.state.experiments[ctx.nodeId] = path;
  // Its own goals score the path from now on (events that happened before the assignment do not count).
  if (hasOwnGoals(node)) ctx.trackExperimentGoals(ctx.nodeId);
  const recorded = workflowInfo().typedSearchAttributes.get(experimentPathKey) ?? [];
  // Lean history: the node sets JourneyNode in the same upsert (an instant node has none of its own).
  upsertSearchAttributes([
    { key: experimentPathKey, value: [...recorded, `${ctx.nodeId}:${path}`] },
    ...(ctx.patches.lean ? [{ key: journeyNodeKey, value: ctx.nodeId }] : []),
  ]);
  return { connector: path };
}
