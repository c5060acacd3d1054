import { z } from 'zod';
import { graphOf } from '../../domain/definition/schema';
import { validateDefinition } from '../../domain/definition/validate';
import { slugSchema } from '../../domain/ids';
import { InvalidJourneyError } from '../../store/journeys';
import { DryRunBusyError } from '../dry-run/queue';
import { planOf } from '../dry-run/plan';
import { runDryRun } from '../dry-run/runner';
import { dryRunRequestSchema, dryRunResponseSchema } from '../dry-run/schema';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });

/**
 * `read` scope: a dry run changes nothing and shows what the version's definition and content already show
 * to a reader, rendered for a profile the caller supplies. Its cost is bounded by the queue, not the scope.
 */
export function addDryRunRoutes(routes: Routes, { journeys, settings, stores: { experiments }, temporal }: ApiDeps): void {
  // The dry run encrypts its payloads like the API's client does.
  const { payloadCodecs } = temporal.options.loadedDataConverter;
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
        return { status: 200, body: await runDryRun(plan, { journeys, settings, experiments, payloadCodecs }) };
      } catch (error) {
        if (error instanceof DryRunBusyError) req.res?.setHeader('Retry-After', String(error.retryAfterSeconds));
        throw error;
      }
    },
  });
}
