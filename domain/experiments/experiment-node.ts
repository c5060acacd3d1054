import { DomainError, NotFoundError } from '../errors';
import type { ExperimentSources } from './sources';

/** A version and its experiment node `nodeId`: 404 when the node does not exist, 422 when it is another type. */
export async function loadExperimentNode(
  journeys: Pick<ExperimentSources['journeys'], 'getVersion'>,
  journeyId: string,
  version: number,
  nodeId: string,
) {
  const found = await journeys.getVersion(journeyId, version);
  const node = found.definition.nodes[nodeId];
  if (!node) throw new NotFoundError(`version ${version} of journey ${journeyId} has no node ${nodeId}`, { journeyId, version, nodeId });
  if (node.type !== 'experiment') {
    throw new DomainError(422, 'not_an_experiment', `node ${nodeId} is a ${node.type} node, not an experiment`, {
      nodeId,
      type: node.type,
    });
  }
  return { version: found, node };
}
