import type { Goal } from '../../domain/definition/schema';
import { eventFilterScope, evaluateCondition } from '../../domain/conditions/evaluate';
import type { JourneyEvent } from '../contract';

/**
 * The first journey goal that an event meets: same name, and its `where` filter (if any) holds over the
 * event's fields with the trigger event as `trigger` (the pure evaluator: never throws).
 */
export function goalMetBy(goals: readonly Goal[], event: JourneyEvent, trigger: unknown): Goal | undefined {
  return goals.find(
    (goal) =>
      goal.event === event.name &&
      (goal.where === undefined ||
        evaluateCondition(
          goal.where,
          eventFilterScope({ name: event.name, properties: event.properties ?? {}, timestamp: event.timestamp }, trigger),
        )),
  );
}
