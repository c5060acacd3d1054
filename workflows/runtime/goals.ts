import type { Goal, ProfileGoal } from '../../domain/definition/schema';
import { eventFilterScope, evaluateCondition } from '../../domain/conditions/evaluate';
import type { JourneyEvent, SentMessage } from '../contract';

/**
 * The first journey goal that an event meets: same name, and its `where` filter (if any) holds over the
 * event's fields with the trigger event as `trigger` (the pure evaluator: never throws). Profile goals have
 * no event: no event meets them.
 */
export function goalMetBy(goals: readonly Goal[], event: JourneyEvent, trigger: unknown): Goal | undefined {
  return goals.find(
    (goal) =>
      goal.event !== undefined &&
      goal.event === event.name &&
      (goal.where === undefined ||
        evaluateCondition(
          goal.where,
          eventFilterScope({ name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp }, trigger),
        )),
  );
}

/** The profile goals (checked here rather than with the schema module's helper: the workflow bundle has no zod). */
export function profileGoalsOf(goals: readonly Goal[]): ProfileGoal[] {
  return goals.filter((goal): goal is ProfileGoal => 'profile' in goal && goal.profile !== undefined);
}

/**
 * The first profile goal that a change makes true: its condition is false over the profile before the change
 * and true after it (a condition that was already true is not met again by an unrelated write).
 */
export function profileGoalMetBy(goals: readonly Goal[], before: unknown, after: unknown): ProfileGoal | undefined {
  return profileGoalsOf(goals).find(
    (goal) => !evaluateCondition(goal.profile, { profile: before }) && evaluateCondition(goal.profile, { profile: after }),
  );
}

/** Confirmed sends kept for attribution (the latest); a goal is credited to one of the last few anyway. */
export const MAX_KEPT_SENDS = 20;

/**
 * The message node a goal met at `at` is credited to: the latest confirmed send at or before it, when it was
 * sent within `windowMs` before the goal (the conversion window; any earlier send of the instance without one).
 */
export function creditedMessage(sends: readonly SentMessage[], at: number, windowMs: number | undefined): string | undefined {
  for (let i = sends.length - 1; i >= 0; i--) {
    const send = sends[i]!;
    if (send.at > at) continue;
    return windowMs === undefined || send.at >= at - windowMs ? send.nodeId : undefined;
  }
  return undefined;
}
