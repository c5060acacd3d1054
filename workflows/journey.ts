import { proxyLocalActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { JourneyActivities } from '../activities';
import { journeyNodeKey, journeyStatusKey } from '../shared/search-attributes';
import type { JourneyInput, JourneyResult, NodeContext } from './context';
import { nextNodeId, runNode } from './nodes';

const { loadJourneyGraph } = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumInterval: '30s' },
});

/** One user's path through one pinned journey version: a loop that runs one node handler at a time. */
export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  const info = workflowInfo();
  const graph = await loadJourneyGraph(input.journeyId, input.version);
  const path: string[] = [];

  let nodeId: string | undefined = graph.start;
  while (nodeId !== undefined) {
    const node = graph.nodes[nodeId];
    if (!node) throw new Error(`version ${input.version} of ${input.journeyId} has no node ${nodeId}`);
    path.push(nodeId);
    upsertSearchAttributes([
      { key: journeyNodeKey, value: nodeId },
      { key: journeyStatusKey, value: 'active' },
    ]);
    setCurrentDetails(`On node **${nodeId}** (${node.type}).`);

    const ctx: NodeContext = { input, graph, nodeId, entryId: info.firstExecutionRunId, instanceId: info.workflowId };
    const outcome = await runNode(node, ctx);
    if ('exit' in outcome) return finish({ reason: outcome.exit, nodeId, path });

    const next = nextNodeId(node, outcome.connector);
    if (next === undefined) return finish({ reason: 'completed', nodeId, path });
    nodeId = next;
  }
  return finish({ reason: 'completed', path });
}

function finish(result: JourneyResult): JourneyResult {
  upsertSearchAttributes([{ key: journeyStatusKey, value: `exited:${result.reason}` }]);
  setCurrentDetails(`Exited with reason **${result.reason}**${result.nodeId ? ` at node **${result.nodeId}**` : ''}.`);
  return result;
}
