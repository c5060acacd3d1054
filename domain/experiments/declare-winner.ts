import type { ExperimentNode } from '../definition/schema';
import { ConflictError, DomainError } from '../errors';
import type { VersionState } from '../lifecycle/states';
import { loadExperimentNode } from './experiment-node';
import { experimentView } from './experiment-view';
import type { ExperimentSources } from './sources';

/** States whose instances can still be steered by a winner: published and not stopped. */
function acceptsWinner(state: VersionState): boolean {
  switch (state) {
    case 'scheduled':
    case 'running':
    case 'paused':
    case 'completed':
    case 'restricted':
      return true;
    case 'draft':
    case 'stopped':
      return false;
  }
}

function assertAuto(nodeId: string, node: ExperimentNode): void {
  switch (node.mode) {
    case 'auto':
      return;
    case 'manual':
      throw new ConflictError(
        `node ${nodeId} is a manual experiment: edit its weights in place (PATCH .../content) instead of declaring a winner`,
        { nodeId, mode: node.mode },
        'manual_experiment',
      );
  }
}

/**
 * Declares `path` the winner of an auto experiment of a live version; answers the experiment as it now is.
 * A winner the re-weighter declared by itself (`autoWinner`) can be overridden once; an admin's is final.
 */
export async function declareWinner(
  deps: ExperimentSources,
  journeyId: string,
  versionNumber: number,
  nodeId: string,
  path: string,
  actor: string,
) {
  const { version, node } = await loadExperimentNode(deps.journeys, journeyId, versionNumber, nodeId);
  if (!acceptsWinner(version.state)) {
    throw new ConflictError(
      `cannot declare a winner on version ${versionNumber}: it is ${version.state} (only a published version that is not stopped takes one)`,
      { version: versionNumber, state: version.state },
      'version_not_live',
    );
  }
  assertAuto(nodeId, node);
  const paths = Object.keys(node.paths);
  if (!paths.includes(path)) {
    const message = `node ${nodeId} has no path ${JSON.stringify(path)} (its paths: ${paths.join(', ')})`;
    throw new DomainError(422, 'unknown_path', message, { nodeId, paths, problems: [{ path: 'body.path', message }] });
  }
  await deps.experiments.declareWinner(journeyId, versionNumber, nodeId, path, actor, paths);
  return experimentView(deps, journeyId, versionNumber, nodeId, 100);
}
