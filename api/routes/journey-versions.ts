import { z } from 'zod';
import { classifyChanges, isWhatOnlyChange } from '../../domain/definition/diff';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { ConflictError, InvalidInputError } from '../../domain/errors';
import { activeVersion, allowedActions, type JourneyState } from '../../domain/lifecycle/states';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';
import { journeyParams, journeySchema, presentJourney, versionParams, versionSchema } from '../schemas/journeys';

const versionDiffSchema = z.object({
  journeyId: z.string(),
  version: z.number().int().describe('The version compared (the newer side).'),
  against: z.number().int().describe('The version it is compared with.'),
  whatOnly: z
    .boolean()
    .describe('True when every change is a What or metadata change: it could be edited in place on `against` instead of a new version.'),
  changes: z
    .array(
      z.object({
        change: z.string().describe('e.g. `node wait-2d: added`, `content email-shipping: subject changed`'),
        kind: z
          .enum(['what', 'metadata', 'structural'])
          .describe('`what`: message content or manual weights; `metadata`: name, labels, description; `structural`: needs a new version.'),
      }),
    )
    .describe('In order: metadata, entry, settings, start, nodes, content.'),
});

/** The version a diff compares with by default: the active one, else the newest published before it. */
function defaultBase(journey: JourneyState, version: number): number | undefined {
  const active = activeVersion(journey);
  if (active && active.version !== version) return active.version;
  return journey.versions
    .filter((v) => v.version < version && v.state !== 'draft')
    .map((v) => v.version)
    .sort((a, b) => b - a)[0];
}

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
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/diff',
    summary:
      'What a version changes against another (default: the active version, else the newest published before it): each change as What, metadata or structural',
    tag,
    scope: 'read',
    params: versionParams,
    query: z.strictObject({ against: z.coerce.number().int().min(1).max(1_000_000).optional() }),
    responses: {
      200: { description: 'The changes', schema: versionDiffSchema },
      409: { description: 'No version to compare with (`no_base_version`)' },
    },
    async handle({ params, query }) {
      const journey = await journeys.getJourney(params.id);
      const target = await journeys.getVersion(params.id, params.version);
      const against = query.against ?? defaultBase(journey, params.version);
      if (against === undefined) {
        throw new ConflictError(
          `journey ${params.id} has no other published version to compare version ${params.version} with`,
          { journeyId: params.id, version: params.version },
          'no_base_version',
        );
      }
      if (!journey.versions.some((v) => v.version === against)) {
        throw new InvalidInputError(`journey ${params.id} has no version ${against}`, [
          { path: 'query.against', message: `unknown version ${against}` },
        ]);
      }
      const base = await journeys.getVersion(params.id, against);
      const body = {
        journeyId: params.id,
        version: params.version,
        against,
        whatOnly: isWhatOnlyChange(base.definition, target.definition),
        changes: classifyChanges(base.definition, target.definition),
      };
      return { status: 200, body };
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
