import { z } from 'zod';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { allowedActions } from '../../domain/lifecycle/states';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { journeyParams, journeySchema, presentJourney, versionParams, versionSchema } from '../schemas/journeys';

/** Drafts: created from a version or a definition, read, edited and deleted. */
export function addJourneyVersionRoutes(routes: Routes, { journeys }: ApiDeps): void {
  const tag = 'Journeys';

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions',
    summary: 'Create a draft version: a deep copy of version `from`, or the given `definition`',
    tag,
    scope: 'admin',
    params: journeyParams,
    body: z.union([z.strictObject({ from: z.number().int().min(1) }), z.strictObject({ definition: journeyDefinitionSchema })]),
    responses: { 201: { description: 'The journey with its new draft', schema: journeySchema.extend({ draftVersion: z.number().int() }) } },
    async handle({ params, body, actor }) {
      const { journey, version } = await journeys.createDraft(params.id, body, actor);
      return { status: 201, body: { ...presentJourney(journey), draftVersion: version } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version',
    summary: 'Get a version: its state and definition with the current content',
    tag,
    scope: 'read',
    params: versionParams,
    responses: { 200: { description: 'The version', schema: versionSchema } },
    async handle({ params }) {
      const { structureId: _internal, ...version } = await journeys.getVersion(params.id, params.version);
      return { status: 200, body: { ...version, allowedActions: allowedActions[version.state] } };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/journeys/:id/versions/:version',
    summary: 'Replace the definition of a draft (published versions are immutable: 409)',
    tag,
    scope: 'admin',
    params: versionParams,
    body: journeyDefinitionSchema,
    responses: { 200: { description: 'Edited', schema: journeySchema } },
    async handle({ params, body, actor }) {
      return { status: 200, body: presentJourney(await journeys.editDraft(params.id, params.version, body, actor)) };
    },
  });

  routes.add({
    method: 'delete',
    path: '/v1/journeys/:id/versions/:version',
    summary: 'Delete a draft',
    tag,
    scope: 'admin',
    params: versionParams,
    responses: { 204: { description: 'Deleted' } },
    async handle({ params, actor }) {
      await journeys.deleteDraft(params.id, params.version, actor);
      return { status: 204 };
    },
  });
}
