import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { journeyNodeKey, journeyStatusKey } from '../../domain/search-attributes';
import type { JourneyStateView } from '../contract';
import type { Instance } from './instance';

/**
 * What operators see: the `state` query, the `JourneyNode` / `JourneyStatus` search attributes and the
 * current details (markdown) that Temporal UI shows. Search attributes change only when the user moves or
 * the status changes, so they cost one history event per node.
 */

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function stateView(inst: Instance): JourneyStateView {
  const { input } = inst;
  const until = iso(inst.waiting?.until);
  const enteredAt = iso(inst.enteredAt);
  const timeoutAt = iso(inst.timeoutAt);
  return {
    journeyId: input.journeyId,
    version: input.version,
    userId: input.userId,
    runId: inst.runId,
    ...(inst.entry !== undefined ? { entry: inst.entry } : {}),
    status: inst.exit ? 'exited' : 'active',
    control: inst.control,
    ...(inst.globalControl ? { globalControl: true as const } : {}),
    ...(inst.currentNode !== undefined ? { currentNode: inst.currentNode } : {}),
    ...(inst.waiting ? { waitingFor: inst.waiting.for } : {}),
    ...(until ? { until } : {}),
    path: [...inst.path],
    experiments: { ...inst.state.experiments },
    goals: (inst.rules?.goals ?? []).map((goal) => goal.id),
    goalsMet: inst.exit?.goalId ? [inst.exit.goalId] : [],
    ...(enteredAt ? { enteredAt } : {}),
    ...(timeoutAt ? { timeoutAt } : {}),
    ...(inst.exit ? { exitReason: inst.exit.reason } : {}),
    events: {
      received: inst.state.received,
      kept: inst.state.events.length,
      keptBytes: inst.state.keptBytes,
      dropped: inst.state.droppedEvents,
    },
  };
}

/** The words Temporal UI shows under "current details". */
export function describe(inst: Instance): string {
  const node = inst.currentNode;
  const waiting = inst.waiting;
  const until = waiting?.until !== undefined ? ` until ${iso(waiting.until)}` : '';
  const goals = inst.rules && inst.rules.goals.length > 0 ? `; goals: ${inst.rules.goals.map((goal) => goal.event).join(', ')}` : '';
  const timeout = inst.timeoutAt !== undefined ? `; journey timeout at ${iso(inst.timeoutAt)}` : '';
  if (inst.globalControl) return `In the account's **global control group**: no messages; tracking goals${until}${goals}.`;
  if (inst.control) return `In the **control group**: no messages; tracking goals${until}${goals}.`;
  if (node === undefined) return 'Entering the journey.';
  if (!waiting) return `On node **${node}** (${inst.graph?.nodes[node]?.type ?? 'node'})${goals}${timeout}.`;
  if (waiting.for === 'time') return `Waiting at **${node}**${until}${goals}${timeout}.`;
  if (waiting.for.startsWith('event ')) return `Waiting at **${node}** for event \`${waiting.for.slice(6)}\`${until}${goals}${timeout}.`;
  if (waiting.for === 'goal') return `Path ended at **${node}**; waiting for a goal${until}${goals}.`;
  if (waiting.for.startsWith('engagement ')) {
    return `Message sent at **${node}**; waiting for it to be ${waiting.for.slice(11)}${until}${goals}${timeout}.`;
  }
  return `At **${node}**: ${waiting.for} in progress${goals}${timeout}.`;
}

/** The user reached a node. */
export function showNode(inst: Instance, nodeId: string): void {
  upsertSearchAttributes([
    { key: journeyNodeKey, value: nodeId },
    { key: journeyStatusKey, value: 'active' },
  ]);
  setCurrentDetails(describe(inst));
}

/** The user was drawn into the control group. */
export function showControl(inst: Instance): void {
  upsertSearchAttributes([{ key: journeyStatusKey, value: 'control' }]);
  setCurrentDetails(describe(inst));
}

/** Something changed that only the words reflect (a wait began or ended). */
export function showDetails(inst: Instance): void {
  setCurrentDetails(describe(inst));
}

export function showExit(inst: Instance): void {
  const exit = inst.exit;
  if (!exit) return;
  // Lean history: the node where it ended may be an instant one, whose JourneyNode was not set on its own.
  const node = inst.patches.lean && inst.currentNode !== undefined ? [{ key: journeyNodeKey, value: inst.currentNode }] : [];
  upsertSearchAttributes([{ key: journeyStatusKey, value: `exited:${exit.reason}` }, ...node]);
  const where = inst.currentNode !== undefined ? ` at node **${inst.currentNode}**` : '';
  setCurrentDetails(`Exited with reason **${exit.reason}**${where}${exit.goalId ? ` (goal ${exit.goalId})` : ''}.`);
}
