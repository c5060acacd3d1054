import { z } from 'zod';
import { evaluateCondition, eventFilterScope } from '../../domain/conditions/evaluate';
import { graphOf, type JourneyGraph } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';
import { DomainError, InvalidInputError } from '../../domain/errors';
import { slugSchema } from '../../domain/ids';
import { InvalidJourneyError } from '../../store/journeys';
import { durationToMs } from '../../domain/time/duration';
import { DryRunBusyError } from '../dry-run/queue';
import { runDryRun, type DryRunPlan } from '../dry-run/runner';
import { dryRunRequestSchema, dryRunResponseSchema, isoOffset, MAX_UNTIL, offsetMs, type DryRunRequest } from '../dry-run/schema';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });

/**
 * `read` scope: a dry run changes nothing and shows what the version's definition and content already show
 * to a reader, rendered for a profile the caller supplies. Its cost is bounded by the queue, not the scope.
 */
export function addDryRunRoutes(routes: Routes, { journeys, settings, stores: { experiments } }: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/dry-run',
    summary:
      'Run a version for a test user in simulated time: the path, its timings and the rendered messages (nothing is sent or written)',
    tag: 'Journeys',
    scope: 'read',
    params: versionParams,
    body: dryRunRequestSchema,
    responses: {
      200: {
        description:
          'The simulation, by the real workflow code on a time-skipping server. A draft runs when it passes every publish rule ' +
          '(else 422 `invalid_journey`); 422 `trigger_not_entering` when the trigger would not enrol the user; 503 `dry_run_busy` ' +
          '(with `Retry-After`) when too many dry runs wait; 504 `dry_run_timeout` after 30 s of wall-clock time.',
        schema: dryRunResponseSchema,
      },
    },
    async handle({ params, body, req }) {
      const version = await journeys.getVersion(params.id, params.version);
      if (version.state === 'draft') {
        const checked = validateDefinition(version.definition);
        if (!checked.ok) throw new InvalidJourneyError(checked.problems);
      }
      const plan = planOf(params.id, params.version, graphOf(version.definition), body);
      try {
        return { status: 200, body: await runDryRun(plan, { journeys, settings, experiments }) };
      } catch (error) {
        if (error instanceof DryRunBusyError) req.res?.setHeader('Retry-After', String(error.retryAfterSeconds));
        throw error;
      }
    },
  });
}

/** Checks the request against the version (trigger, times) and turns it into what the runner simulates. */
function planOf(journeyId: string, version: number, graph: JourneyGraph, body: DryRunRequest): DryRunPlan {
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
