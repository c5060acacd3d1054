import { z } from 'zod';
import { ENTRY_TYPES, journeyDefinitionSchema } from '../../domain/definition/schema';
import { slugSchema } from '../../domain/ids';
import { versionStates } from '../../domain/lifecycle/states';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { journeyChangeSchema, journeyParams, journeySchema, presentJourney, versionParams } from '../schemas/journeys';
import { addJourneyContentRoutes } from './journey-content';
import { addVersionLifecycleRoutes } from './journey-lifecycle';
import { addJourneyVersionRoutes } from './journey-versions';

/** Journeys and, in the order the API documents them, their versions, lifecycle and content. */
export function addJourneyRoutes(routes: Routes, deps: ApiDeps): void {
  const { journeys } = deps;
  const tag = 'Journeys';

  routes.add({
    method: 'post',
    path: '/v1/journeys',
    summary: 'Create a journey from a definition; its version 1 is a draft',
    tag,
    scope: 'admin',
    body: journeyDefinitionSchema,
    responses: { 201: { description: 'Created', schema: journeySchema } },
    async handle({ body, actor }) {
      return { status: 201, body: presentJourney(await journeys.createJourney(body, actor)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys',
    summary:
      'List journeys, most recently changed first; search by name or id, filter by version state, label, entry type, creator and archive flag',
    tag,
    scope: 'read',
    query: z.strictObject({
      state: z.enum(versionStates).optional(),
      label: z.string().min(1).max(64).optional(),
      q: z.string().min(1).max(200).optional().describe('A case-insensitive substring of the name or the id.'),
      entryType: z.enum(ENTRY_TYPES).optional().describe('Journeys with a version that enters users this way.'),
      createdBy: z.string().min(1).max(200).optional().describe('Journeys created by this actor (the `createdBy` of version 1).'),
      archived: z.enum(['true', 'false']).default('false'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    responses: { 200: { description: 'A page of journeys', schema: z.object({ items: z.array(journeySchema), total: z.number().int() }) } },
    async handle({ query }) {
      const page = await journeys.listJourneys({ ...query, archived: query.archived === 'true' });
      return { status: 200, body: { items: page.items.map(presentJourney), total: page.total } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id',
    summary: 'Get a journey with the state of each version',
    tag,
    scope: 'read',
    params: journeyParams,
    responses: { 200: { description: 'The journey', schema: journeySchema } },
    async handle({ params }) {
      return { status: 200, body: presentJourney(await journeys.getJourney(params.id)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/history',
    summary:
      "The journey's audit trail, oldest first: each change (create, newVersion, edit, publish, pause, resume, stop:exit, stop:drain, archive...) with who made it, when, and every version's state after it",
    tag,
    scope: 'read',
    params: journeyParams,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200).describe('The newest changes kept.') }),
    responses: { 200: { description: 'The changes', schema: z.object({ items: z.array(journeyChangeSchema) }) } },
    async handle({ params, query }) {
      return { status: 200, body: { items: await journeys.history(params.id, query.limit) } };
    },
  });

  addJourneyVersionRoutes(routes, deps);
  addVersionLifecycleRoutes(routes, deps);
  addJourneyContentRoutes(routes, deps);

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/clone',
    summary: 'Clone a version into a new journey (draft)',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.strictObject({ id: slugSchema, name: z.string().min(1).max(200).optional() }),
    responses: { 201: { description: 'The new journey', schema: journeySchema } },
    async handle({ params, body, actor }) {
      return { status: 201, body: presentJourney(await journeys.clone(params.id, params.version, body, actor)) };
    },
  });

  for (const action of ['archive', 'unarchive'] as const) {
    routes.add({
      method: 'post',
      path: `/v1/journeys/:id/${action}`,
      summary: action === 'archive' ? 'Archive a journey (not while a version is scheduled or running)' : 'Unarchive a journey',
      tag,
      scope: 'admin',
      params: journeyParams,
      responses: { 200: { description: 'Done', schema: journeySchema } },
      async handle({ params, actor }) {
        return { status: 200, body: presentJourney(await journeys.setArchived(params.id, action === 'archive', actor)) };
      },
    });
  }
}
