import { DEFAULT_EXPERIMENT_FLOOR, DEFAULT_EXPERIMENT_INTERVAL } from '../definition/schema';
import { autoWinnerRule } from './auto-winner';
import { loadExperimentNode } from './experiment-node';
import { experimentGoalsOf } from './reweight';
import type { ExperimentSources, ExperimentWeightChange } from './sources';

/**
 * An experiment node: its mode, paths, goals, the weights new users get now, each path's probability to be
 * best (auto mode, from the latest re-weighting), its winner and the newest `limit` weight changes.
 */
export async function experimentView(
  { journeys, experiments }: ExperimentSources,
  journeyId: string,
  version: number,
  nodeId: string,
  limit: number,
) {
  const { version: found, node } = await loadExperimentNode(journeys, journeyId, version, nodeId);
  const paths = Object.keys(node.paths);
  const base = {
    journeyId,
    version,
    nodeId,
    mode: node.mode,
    paths,
    goals: experimentGoalsOf(node, found.definition.settings.goals).map(({ id, event }) =>
      event !== undefined ? { id, event } : { id, profile: true as const },
    ),
  };
  switch (node.mode) {
    case 'manual': {
      // A manual experiment's weights are its What: the current content, and its revisions as history.
      const weights = (found.definition.content[nodeId]?.weights ?? {}) as Record<string, number>;
      const revisions = await journeys.contentHistory(journeyId, version, nodeId);
      const history: ExperimentWeightChange[] = revisions.flatMap(({ revision, content, actor, at }) => {
        const edited = (content as { weights?: unknown } | undefined)?.weights;
        if (typeof edited !== 'object' || edited === null) return [];
        return [{ seq: revision, at, weights: edited as Record<string, number>, reason: revision === 0 ? 'published' : 'edited', actor }];
      });
      return { ...base, weights, history: history.slice(-limit) };
    }
    case 'auto': {
      const [current, history] = await Promise.all([
        experiments.current(journeyId, version, nodeId),
        experiments.history(journeyId, version, nodeId, { limit }),
      ]);
      const winner = current.winner;
      const weights =
        winner !== undefined
          ? Object.fromEntries(paths.map((path) => [path, path === winner ? 100 : 0]))
          : (current.weights ?? Object.fromEntries(paths.map((path) => [path, 100 / paths.length])));
      const autoWinner = autoWinnerRule(node);
      return {
        ...base,
        floor: node.floor ?? DEFAULT_EXPERIMENT_FLOOR,
        interval: node.interval ?? DEFAULT_EXPERIMENT_INTERVAL,
        ...(autoWinner !== undefined ? { autoWinner } : {}),
        weights,
        ...(current.probabilities !== undefined ? { probabilities: current.probabilities } : {}),
        ...(winner !== undefined ? { winner, winnerBy: current.winnerBy, winnerAt: current.winnerAt } : {}),
        ...(current.overridden !== undefined ? { overridden: current.overridden } : {}),
        history,
      };
    }
  }
}
