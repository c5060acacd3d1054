import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { journeyNodeKey, journeyStatusKey } from '../shared/search-attributes';
import { bookkeeping } from './activities';
import type { JourneyInput, JourneyResult, NodeContext } from './context';
import { nextNodeId, runNode } from './nodes';
import { eventSignal } from './signals';
import { createInstanceState, recordEvent, type InstanceState } from './state';

/** One user's path through one pinned journey version: a loop that runs one node handler at a time. */
export async function journeyWorkflow(input: JourneyInput): Promise<JourneyResult> {
  const info = workflowInfo();
  const state = createInstanceState();
  // Registered first, so events signalled with the start (or before the graph is loaded) are kept.
  setHandler(eventSignal, (event) => {
    recordEvent(state, event, Date.now());
  });

  const graph = await bookkeeping.loadJourneyGraph(input.journeyId, input.version);
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

    const ctx: NodeContext = { input, graph, nodeId, entryId: info.firstExecutionRunId, instanceId: info.workflowId, state };
    const outcome = await runNode(node, ctx);
    if ('exit' in outcome) return finish({ reason: outcome.exit, nodeId, path }, state);

    const next = nextNodeId(node, outcome.connector);
    if (next === undefined) return finish({ reason: 'completed', nodeId, path }, state);
    nodeId = next;
  }
  return finish({ reason: 'completed', path }, state);
}

function finish(result: JourneyResult, state: InstanceState): JourneyResult {
  upsertSearchAttributes([{ key: journeyStatusKey, value: `exited:${result.reason}` }]);
  setCurrentDetails(`Exited with reason **${result.reason}**${result.nodeId ? ` at node **${result.nodeId}**` : ''}.`);
  return {
    ...result,
    ...(state.errors.length > 0 ? { errors: state.errors } : {}),
    ...(state.enrolments.length > 0 ? { enrolments: state.enrolments } : {}),
  };
}
