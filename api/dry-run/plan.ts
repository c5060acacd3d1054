import { evaluateCondition, eventFilterScope } from '../../domain/conditions/evaluate';
import type { JourneyGraph } from '../../domain/definition/schema';
import { DomainError, InvalidInputError } from '../../domain/errors';
import { durationToMs } from '../../domain/time/duration';
import type { DryRunPlan } from './runner';
import { isoOffset, MAX_UNTIL, offsetMs, type DryRunRequest } from './schema';

/** Checks the request against the version (trigger, times) and turns it into what the runner simulates. */
export function planOf(journeyId: string, version: number, graph: JourneyGraph, body: DryRunRequest): DryRunPlan {
  const startAt = body.startAt === undefined ? undefined : Math.ceil(Date.parse(body.startAt) / 1000) * 1000;
  if (startAt !== undefined && startAt < Date.now()) {
    throw new InvalidInputError('invalid body: startAt is in the past', [
      { path: 'body.startAt', message: 'must not be in the past: a simulation cannot start before now' },
    ]);
  }
  const untilMs = body.until === undefined ? defaultUntil(graph) : durationToMs(body.until);
  const late = body.events.flatMap((event, index) => (offsetMs(event.at)! > untilMs ? [index] : []));
  if (late.length > 0) {
    const message = `is after until (${isoOffset(untilMs)}): the simulation stops there; raise until or drop the event`;
    throw new InvalidInputError(
      `invalid body: ${late.length} event(s) after until`,
      late.map((index) => ({ path: `body.events.${index}.at`, message })),
    );
  }
  checkTrigger(graph, version, body.trigger, startAt ?? Date.now());
  return {
    journeyId,
    version,
    graph,
    userId: body.userId,
    profile: { userId: body.userId, ...body.profile },
    ...(body.context ? { context: body.context } : {}),
    ...(body.trigger ? { trigger: body.trigger } : {}),
    // Stable: events at one instant keep their order.
    events: body.events.map((event) => ({ ...event, offsetMs: offsetMs(event.at)! })).sort((a, b) => a.offsetMs - b.offsetMs),
    ...(startAt !== undefined ? { startAt } : {}),
    untilMs,
  };
}

/** Long enough for any instance to end: the journey timeout plus the conversion window, else the maximum. */
function defaultUntil({ settings }: JourneyGraph): number {
  const max = durationToMs(MAX_UNTIL);
  if (!settings.timeout) return max;
  return Math.min(max, durationToMs(settings.timeout) + (settings.conversionWindow ? durationToMs(settings.conversionWindow) : 0));
}

/** A journey that enters on an event needs one that would enrol the user; no other journey has a trigger. */
function checkTrigger(graph: JourneyGraph, version: number, trigger: DryRunRequest['trigger'], at: number): void {
  const { entry } = graph;
  if (entry.type !== 'event') {
    if (trigger)
      throw new InvalidInputError('invalid body: no trigger', [
        { path: 'body.trigger', message: `version ${version} enters by ${entry.type}, not on an event: leave trigger out` },
      ]);
    return;
  }
  if (!trigger)
    throw new InvalidInputError('invalid body: trigger missing', [
      { path: 'body.trigger', message: `is required: version ${version} enters on the event ${entry.event}` },
    ]);
  if (trigger.name !== entry.event) {
    throw new InvalidInputError('invalid body: another trigger', [
      { path: 'body.trigger.name', message: `must be ${entry.event}, the entry event of version ${version}` },
    ]);
  }
  const event = { name: trigger.name, properties: trigger.properties ?? {}, timestamp: new Date(at).toISOString() };
  if (entry.where && !evaluateCondition(entry.where, eventFilterScope(event))) {
    throw new DomainError(
      422,
      'trigger_not_entering',
      `the trigger does not pass the entry filter of version ${version}: such an event would not enrol the user`,
      { where: entry.where },
    );
  }
}
