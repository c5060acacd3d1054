import type { Fact } from '../../activities';
import type { JourneyGraph } from '../../domain/definition/schema';
import type { Profile } from '../../store/profiles';
import type { JourneyResult } from '../../workflows/contract';
import type { DryRunEnrolment, DryRunSend } from './activities';
import { isoOffset, type DryRunResponse } from './schema';

export interface Observed {
  journeyId: string;
  version: number;
  userId: string;
  graph: JourneyGraph;
  /** The simulated entry instant (ms, a whole second) and span. */
  start: number;
  untilMs: number;
  /** The instance's facts in order, up to `until`. */
  facts: Fact[];
  sends: DryRunSend[];
  enrolments: DryRunEnrolment[];
  events: { name: string; offsetMs: number; delivered: boolean }[];
  /** The workflow's result; its exit counts only when it ended by `until`. */
  result: JourneyResult;
  ended: boolean;
  profile: Profile;
}

/**
 * The answer of a dry run, from what the fake activities observed. Times are simulated and to the second:
 * the workflow's own processing adds milliseconds that would otherwise make two identical runs differ.
 */
export function report(observed: Observed): DryRunResponse {
  const { start, facts, graph } = observed;
  const moment = (ms: number) => {
    const offset = Math.max(0, Math.floor((ms - start) / 1000) * 1000);
    return { at: new Date(start + offset).toISOString(), offset: isoOffset(offset) };
  };
  const factTime = (fact: Fact) => moment(Date.parse(fact.at));
  const exited = facts.find((fact) => fact.kind === 'exited');
  const { reason, nodeId, goalId } = observed.result;
  const { userId: _userId, updatedAt: _updatedAt, ...profile } = observed.profile;

  return {
    journeyId: observed.journeyId,
    version: observed.version,
    userId: observed.userId,
    startedAt: new Date(start).toISOString(),
    until: isoOffset(observed.untilMs),
    path: facts
      .filter((fact) => fact.kind === 'node_entered')
      .map((fact) => {
        const { at, offset } = factTime(fact);
        return { nodeId: fact.nodeId!, enteredAt: at, offset };
      }),
    exit:
      observed.ended && exited
        ? { reason, ...(nodeId !== undefined ? { nodeId } : {}), ...(goalId !== undefined ? { goalId } : {}), ...factTime(exited) }
        : null,
    messages: observed.sends.map(({ at, ...send }) => ({ ...send, ...moment(at) })),
    experiments: Object.fromEntries(
      facts
        .filter((fact) => fact.kind === 'moved' && fact.path !== undefined && graph.nodes[fact.nodeId!]?.type === 'experiment')
        .map((fact) => [fact.nodeId!, fact.path!]),
    ),
    errors: (observed.result.errors ?? []).map((error) => ({ nodeId: error.nodeId, message: error.message, ...moment(error.at) })),
    enrolments: observed.enrolments.map(({ at, ...enrolment }) => ({ ...enrolment, ...moment(at) })),
    events: observed.events.map(({ name, offsetMs, delivered }) => ({ name, ...moment(start + offsetMs), delivered })),
    profile,
  };
}
