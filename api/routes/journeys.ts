import { z } from 'zod';
import { journeyDefinitionSchema } from '../../shared/definition/schema';
import { slugSchema } from '../../shared/ids';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const journeyParams = z.object({ id: slugSchema });
const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1) });

export const versionSummarySchema = z.object({
  version: z.number().int(),
  state: z.string(),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.date(),
  publishedBy: z.string().nullable(),
  publishedAt: z.date().nullable(),
});
export const journeySchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: z.array(z.string()),
  archived: z.boolean(),
  revision: z.number().int(),
  versions: z.array(versionSummarySchema),
});

function present(journey: { _id: string; name: string; labels: string[]; archived: boolean; revision: number; versions: unknown[] }) {
  const { _id, name, labels, archived, revision, versions } = journey;
  return { id: _id, name, labels, archived, revision, versions };
}

export function addJourneyRoutes(routes: Routes, { journeys }: ApiDeps): void {
  routes.add({
    method: 'post',
    path: '/v1/journeys',
    summary: 'Create a journey from a definition; its version 1 is a draft',
    tag: 'Journeys',
    body: journeyDefinitionSchema,
    responses: { 201: { description: 'Created', schema: journeySchema } },
    async handle({ body }) {
      return { status: 201, body: present(await journeys.createJourney(body, 'api')) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id',
    summary: 'Get a journey with the state of each version',
    tag: 'Journeys',
    params: journeyParams,
    responses: { 200: { description: 'The journey', schema: journeySchema } },
    async handle({ params }) {
      return { status: 200, body: present(await journeys.getJourney(params.id)) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/publish',
    summary: 'Publish a draft version',
    tag: 'Journeys',
    params: versionParams,
    responses: { 200: { description: 'Published', schema: journeySchema } },
    async handle({ params }) {
      return { status: 200, body: present(await journeys.publish(params.id, params.version, 'api')) };
    },
  });
}
