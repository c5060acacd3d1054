import { nodeTypes } from '../../domain/definition/node-types';
import type { JourneyNode } from '../../domain/definition/schema';
import type { NodeContext, NodeOutcome, SendOutcome } from '../context';
import { nextNodeId, runNode } from '../nodes';
import { PATCHES } from '../patches';
import { raceExit, waitForExit } from './guard';
import type { Instance } from './instance';
import { showControl, showDetails, showNode } from './operators';

/** A step either leads to the next node or ends the instance (its exit is then decided). */
export type Step = { next: string } | { ended: true };

/**
 * One node: enter it (facts of the move that led here and `node_entered`, search attributes), run its
 * handler raced against the instance's exit, then route. A node interrupted by an exit does not route.
 */
export async function runStep(inst: Instance, nodeId: string, exit: Promise<void>): Promise<Step> {
  const node = inst.graph!.nodes[nodeId];
  if (!node) throw new Error(`version ${inst.input.version} of ${inst.input.journeyId} has no node ${nodeId}`);
  const type = nodeTypes[node.type];
  inst.path.push(nodeId);
  inst.currentNode = nodeId;
  inst.facts.add({ kind: 'node_entered', nodeId }, factTime(inst));
  // Lean history: an instant node shows in the words only; its search attributes come with the next upsert.
  if (inst.patches.lean && !type.takesTime) showDetails(inst);
  else showNode(inst, nodeId);
  // Event time: a goal that happened before the user got here ends the instance here; while a send or a
  // write is in progress a goal ends it at once; waits and delays weigh it against their own decision.
  if (inst.eventTime) inst.settlesBefore(type.goalInterrupts ? () => false : (at) => at > inst.reachedAt);
  // Events count for the node from now on, also those that arrive while its facts are written.
  const arrived = inst.state.received;
  if (writesFactsBefore(inst, node)) await inst.facts.flush();
  if (inst.exit) return { ended: true };

  const outcome = await raceExit(exit, () =>
    runNode(node, nodeContext(inst, nodeId, inst.patches.has(PATCHES.committedFactWrites) ? arrived : inst.state.received)),
  );
  inst.waiting = undefined;
  if (inst.eventTime && outcome && 'connector' in outcome) {
    inst.reach(outcome.at ?? (type.takesTime ? Date.now() : inst.reachedAt));
    inst.goalBy(inst.reachedAt);
  }
  if (outcome && 'send' in outcome && outcome.send) recordSend(inst, nodeId, outcome.send, factTime(inst));
  if (inst.exit || !outcome) return { ended: true };
  if ('exit' in outcome) {
    if (inst.eventTime && inst.goalBy(inst.reachedAt)) return { ended: true };
    inst.end({ reason: outcome.exit });
    return { ended: true };
  }
  return route(inst, node, nodeId, outcome);
}

/** A send's `message` fact, and the send noted for goal attribution. */
function recordSend(inst: Instance, nodeId: string, send: SendOutcome, at: number): void {
  const { outcome: sent, reason, inDoubt } = send;
  inst.facts.add({ kind: 'message', nodeId, outcome: sent, ...(reason ? { reason } : {}), ...(inDoubt ? { inDoubt } : {}) }, at);
  // Goal attribution credits confirmed sends only (an in-doubt send may not have reached the user).
  if (sent === 'sent' && !inDoubt) inst.noteSent(nodeId, at);
}

/**
 * Facts are written before a node that takes time (a wait, a write), so reports see where the user is; a
 * node that decides at once (split, experiment, exit) leaves them to the next write; a send writes them
 * itself (lean history), saving an activity per message.
 */
function writesFactsBefore(inst: Instance, node: JourneyNode): boolean {
  if (!inst.patches.has(PATCHES.committedFactWrites)) return true;
  const { takesTime, writesOwnFacts } = nodeTypes[node.type];
  return takesTime && !(inst.patches.lean && writesOwnFacts);
}

/** The fact time of a step: the logical time reached (event time), else the workflow's clock. */
function factTime(inst: Instance): number {
  return inst.eventTime ? inst.reachedAt : Date.now();
}

async function route(
  inst: Instance,
  node: JourneyNode,
  nodeId: string,
  outcome: Extract<NodeOutcome, { connector: string }>,
): Promise<Step> {
  const next = nextNodeId(node, outcome.connector);
  if (next === undefined) {
    await conversionWindow(inst);
    inst.end({ reason: 'completed' });
    return { ended: true };
  }
  inst.facts.add(
    { kind: 'moved', nodeId, connector: outcome.connector, ...(nodeTypes[node.type].paths ? { path: outcome.connector } : {}) },
    factTime(inst),
  );
  return { next };
}

/** The end of a path in a journey with goals and a conversion window: wait for a goal until the window ends. */
async function conversionWindow(inst: Instance): Promise<void> {
  const windowMs = inst.rules!.conversionWindowMs;
  if (windowMs === undefined) return;
  inst.waiting = { for: 'goal', until: (inst.eventTime ? inst.reachedAt : Date.now()) + windowMs };
  if (inst.eventTime) inst.settlesBefore(() => false);
  showDetails(inst);
  await inst.facts.flush();
  await waitForExit(inst, inst.waiting.until!);
  inst.waiting = undefined;
}

/** A control user: no node runs; goals are tracked until the tracking window ends, then `control`. */
export async function trackControl(inst: Instance): Promise<void> {
  inst.waiting = { for: 'goal', until: inst.enteredAt! + inst.rules!.trackingWindowMs };
  if (inst.eventTime) inst.settlesBefore(() => false);
  showControl(inst);
  await inst.facts.flush();
  await waitForExit(inst, inst.waiting.until!);
  inst.waiting = undefined;
  inst.end({ reason: 'control' });
}

function nodeContext(inst: Instance, nodeId: string, since: number): NodeContext {
  return {
    input: inst.input,
    graph: inst.graph!,
    nodeId,
    entryId: inst.runId,
    instanceId: inst.facts.scope.instanceId,
    state: inst.state,
    since,
    eventTime: inst.eventTime,
    reachedAt: inst.reachedAt,
    triggerId: inst.triggerId,
    trackExperimentGoals: (experimentNodeId) => inst.trackExperimentGoals(experimentNodeId),
    profileChanged: (change) => inst.profileChanged(change),
    settlesBefore: (settles) => inst.settlesBefore(settles),
    patches: inst.patches,
    ...(inst.account?.timezone !== undefined ? { accountZone: inst.account.timezone } : {}),
    ...(inst.patches.lean ? { stepFacts: inst.facts } : {}),
    async recordSend(send) {
      recordSend(inst, nodeId, send, Date.now());
      await inst.facts.flush();
    },
    waiting(waiting) {
      inst.waiting = waiting;
      showDetails(inst);
    },
  };
}
