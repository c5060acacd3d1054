import { allHandlersFinished, condition, makeContinueAsNewFunc, workflowInfo, type WorkflowInfo } from '@temporalio/workflow';
import { type JourneyInput, type ResumeState } from '../contract';
import { jsonBytes } from '../../domain/input-limits';
import { boundKeptEvents, eventTime, MAX_KEPT_EVENTS } from '../state';
import type { Instance } from './instance';

/**
 * Fallback for servers that never suggest continue-as-new: well under the 50K-event hard limit, and far
 * above any journey's own length (at most 100 nodes of ~8 events each).
 */
export const MAX_HISTORY_EVENTS = 10_000;

/**
 * Whether to continue as new before the next node: when the server suggests it (history count or size over
 * its thresholds, `limit.historyCount.suggestContinueAsNew` / `limit.historySize.suggestContinueAsNew`), or
 * past our own bound. Pure: the tests force it with a server whose threshold is small.
 */
export function shouldContinueAsNew(info: Pick<WorkflowInfo, 'continueAsNewSuggested' | 'historyLength'>): boolean {
  return info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS;
}

export function carry(inst: Instance, nodeId: string): ResumeState {
  const { state } = inst;
  return {
    nodeId,
    path: inst.path,
    factSeq: inst.facts.next,
    entry: inst.entry!,
    control: inst.control,
    ...(inst.globalControl ? { globalControl: true as const } : {}),
    ...(inst.account ? { account: inst.account } : {}),
    enteredAt: inst.enteredAt!,
    ...(inst.eventTime ? { reachedAt: inst.reachedAt } : {}),
    ...(inst.pendingGoal ? { pendingGoal: inst.pendingGoal } : {}),
    ...(inst.timeoutAt !== undefined ? { timeoutAt: inst.timeoutAt } : {}),
    events: {
      ids: [...state.eventIds],
      received: state.received,
      kept: state.events,
      ...(state.droppedEvents > 0 ? { dropped: state.droppedEvents } : {}),
    },
    experiments: state.experiments,
    experimentGoals: state.experimentGoals,
    errors: state.errors,
    enrolments: state.enrolments,
    runs: (inst.input.resume?.runs ?? 0) + 1,
    ...(inst.sends.length > 0 ? { sends: inst.sends } : {}),
  };
}

export function restore(inst: Instance, carried: ResumeState): void {
  const { state } = inst;
  inst.path = [...carried.path];
  inst.facts.next = carried.factSeq;
  inst.entry = carried.entry;
  inst.control = carried.control;
  inst.globalControl = carried.globalControl === true;
  if (carried.account) inst.account = { ...carried.account };
  inst.enteredAt = carried.enteredAt;
  inst.reach(carried.reachedAt ?? Date.now());
  if (carried.pendingGoal) inst.pendingGoal = { ...carried.pendingGoal };
  if (carried.timeoutAt !== undefined) inst.timeoutAt = carried.timeoutAt;
  // Events signalled to this run before the graph was loaded come after the carried ones (redeliveries dropped).
  const seen = new Set(carried.events.ids);
  const early = state.events.filter((event) => !seen.has(event.id));
  state.eventIds = new Set([...carried.events.ids, ...early.map((event) => event.id)]);
  // States carried by older code have no event times: an event happened, at the latest, when it arrived.
  const kept = carried.events.kept.map((event) => ({ ...event, at: event.at ?? eventTime(event, event.receivedAt) }));
  state.events = [...kept, ...early.map((event, i) => ({ ...event, seq: carried.events.received + i }))].slice(-MAX_KEPT_EVENTS);
  state.received = carried.events.received + early.length;
  state.droppedEvents = carried.events.dropped ?? 0;
  state.keptBytes = state.events.reduce((sum, event) => sum + jsonBytes(event), 0);
  boundKeptEvents(state);
  state.experiments = { ...carried.experiments };
  state.experimentGoals = Object.fromEntries(
    Object.entries(carried.experimentGoals ?? {}).map(([node, tracker]) => [node, { ...tracker, met: [...tracker.met] }]),
  );
  state.errors = [...carried.errors];
  state.enrolments = [...carried.enrolments];
  inst.sends = [...(carried.sends ?? [])];
}

/**
 * Continues as new at `nodeId`: facts written, signal handlers drained, then a new run with the carried
 * state (same workflow id, same first run id, so the same entry, fact ids and delivery keys).
 */
export async function continueAsNewAt(inst: Instance, nodeId: string): Promise<never> {
  await inst.facts.flush();
  await condition(allHandlersFinished);
  const info = workflowInfo();
  const next = makeContinueAsNewFunc<(input: JourneyInput) => Promise<unknown>>({
    typedSearchAttributes: info.typedSearchAttributes,
    ...(info.memo ? { memo: info.memo } : {}),
  });
  return next({ ...inst.input, resume: carry(inst, nodeId) });
}
