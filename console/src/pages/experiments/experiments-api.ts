import type { ApiClient } from '../../api/client';

/** The experiment routes (api/routes/experiments.ts), the version report's experiment node, and weight edits. */

export interface WeightChange {
  seq: number;
  at: string;
  weights: Record<string, number>;
  reason: 'reweighted' | 'winner' | 'published' | 'edited';
  actor: string;
}

export interface ExperimentView {
  journeyId: string;
  version: number;
  nodeId: string;
  mode: 'manual' | 'auto';
  paths: string[];
  goals: { id: string; event?: string; profile?: true }[];
  floor?: number;
  interval?: string;
  weights: Record<string, number>;
  probabilities?: Record<string, number>;
  winner?: string;
  winnerBy?: string;
  winnerAt?: string;
  overridden?: { path: string; by: string; at: string };
  history: WeightChange[];
}

export interface PathFigures {
  path: string;
  count: number;
  share: number | null;
  probability?: number | null;
  conversions: Record<string, { count: number; rate: number | null }>;
}

export interface ExperimentNodeReport {
  nodeId: string;
  type: 'experiment';
  entered: number;
  waitingNow: number;
  paths: PathFigures[];
}

function versionPath(journeyId: string, version: number): string {
  return `/v1/journeys/${encodeURIComponent(journeyId)}/versions/${version}`;
}

export function getExperiment(api: ApiClient, journeyId: string, version: number, nodeId: string, signal?: AbortSignal) {
  return api.request<ExperimentView>(`${versionPath(journeyId, version)}/experiments/${encodeURIComponent(nodeId)}`, { signal });
}

/** The node's figures from the version's report (all days); undefined before the node has a report entry. */
export async function getExperimentFigures(api: ApiClient, journeyId: string, version: number, nodeId: string, signal?: AbortSignal) {
  const report = await api.request<{ nodes: { nodeId: string; type: string }[] }>(`${versionPath(journeyId, version)}/report`, { signal });
  return report.nodes.find((node): node is ExperimentNodeReport => node.nodeId === nodeId && node.type === 'experiment');
}

export function declareWinner(api: ApiClient, journeyId: string, version: number, nodeId: string, path: string) {
  return api.request<ExperimentView>(`${versionPath(journeyId, version)}/experiments/${encodeURIComponent(nodeId)}/winner`, {
    method: 'POST',
    body: { path },
  });
}

/** A manual experiment's weights are its content: edited in place like a message's. */
export async function editWeights(api: ApiClient, journeyId: string, version: number, nodeId: string, weights: Record<string, number>) {
  const answer = await api.request<{ revisions: Record<string, number> }>(`${versionPath(journeyId, version)}/content`, {
    method: 'PATCH',
    body: { [nodeId]: { weights } },
  });
  return answer.revisions[nodeId];
}
