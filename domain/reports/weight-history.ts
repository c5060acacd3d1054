import type { ReportVersion, WeightChange } from './report';

/** The weight changes of one experiment node, oldest first (the experiment store satisfies it). */
export interface ExperimentHistorySource {
  history(
    journeyId: string,
    version: number,
    nodeId: string,
  ): Promise<Array<{ at: Date; weights: Record<string, number>; reason: WeightChange['reason']; actor?: string; detail?: unknown }>>;
}

/** The weight changes of every experiment node of the versions, keyed `${version}:${nodeId}` as `buildReport` expects. */
export async function weightHistoryOf(
  experiments: ExperimentHistorySource,
  journeyId: string,
  versions: ReportVersion[],
): Promise<Record<string, WeightChange[]>> {
  const entries = await Promise.all(
    versions.flatMap(({ version, definition }) =>
      Object.entries(definition.nodes)
        .filter(([, node]) => node.type === 'experiment')
        .map(async ([nodeId]) => {
          const history = await experiments.history(journeyId, version, nodeId);
          const changes: WeightChange[] = history.map((change) => ({
            at: new Date(change.at).toISOString(),
            weights: change.weights,
            reason: change.reason,
            ...(change.reason === 'winner' ? { winner: Object.keys(change.weights).find((path) => change.weights[path] === 100)! } : {}),
            ...(change.actor !== undefined ? { by: change.actor } : {}),
            ...probabilitiesOf(change.detail),
          }));
          return [`${version}:${nodeId}`, changes] as const;
        }),
    ),
  );
  return Object.fromEntries(entries);
}

/** `{ probabilities }` when a change's detail carries them (re-weightings and automatic winners). */
function probabilitiesOf(detail: unknown): { probabilities?: Record<string, number> } {
  if (typeof detail !== 'object' || detail === null) return {};
  const probabilities = (detail as { probabilities?: unknown }).probabilities;
  if (typeof probabilities !== 'object' || probabilities === null) return {};
  const entries = Object.entries(probabilities).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
  return { probabilities: Object.fromEntries(entries) };
}
