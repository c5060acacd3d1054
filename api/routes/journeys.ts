import { z } from 'zod';
import { journeyDefinitionSchema } from '../../shared/definition/schema';
import { slugSchema } from '../../shared/ids';
import { ConflictError } from '../../shared/errors';
import { allowedActions, lifecycleActions, versionStates, type VersionSummary } from '../../shared/lifecycle/states';
import { reconcileSegmentSchedules } from '../../shared/segments/schedules';
import { startVersionDrain, startVersionStop } from '../../shared/services';
import type { JourneyView } from '../../shared/store/journeys';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const journeyParams = z.object({ id: slugSchema });
const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });
const nodeParams = versionParams.extend({ nodeId: slugSchema });

const versionSummarySchema = z.object({
  version: z.number().int(),
  state: z.enum(versionStates),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.date(),
  publishedBy: z.string().optional(),
  publishedAt: z.date().optional(),
  startAt: z.date().optional(),
  endAt: z.date().optional(),
  draining: z.boolean().optional(),
  stoppedAt: z.date().optional(),
  stopReason: z.enum(['stopped', 'version_exit']).optional(),
  allowedActions: z.array(z.enum(lifecycleActions)),
});
const journeySchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: z.array(z.string()),
  archived: z.boolean(),
  revision: z.number().int(),
  updatedAt: z.date(),
  versions: z.array(versionSummarySchema),
});
const versionSchema = versionSummarySchema.extend({
  journeyId: z.string(),
  definition: journeyDefinitionSchema,
  contentRevisions: z.record(z.string(), z.number().int()),
});

/** The API's view of a journey: the internal snapshot id stays internal; each version lists what it allows. */
function present(journey: JourneyView) {
  const { id, name, labels, archived, revision, updatedAt } = journey;
  return {
    id,
    name,
    labels,
    archived,
    revision,
    updatedAt,
    versions: journey.versions.map(({ structureId: _internal, ...version }) => ({ ...version, allowedActions: allowedActions[version.state] })),
  };
}

const ok = (journey: JourneyView) => ({ status: 200, body: present(journey) });

export function addJourneyRoutes(routes: Routes, { journeys, temporal, config }: ApiDeps): void {
  const tag = 'Journeys';

  /**
   * Makes a committed stop reach the instances: `version-stop` signals every running instance of a stopped
   * version, `version-drain` stops a draining version once its instances are gone. Starting them is quick
   * (the answer does not wait for the instances), and idempotent per version.
   */
  async function startMaintenance(journeyId: string, summary: VersionSummary): Promise<void> {
    if (summary.state === 'stopped' && summary.stopReason) {
      await startVersionStop(temporal, config.TEMPORAL_TASK_QUEUE, { journeyId, version: summary.version, reason: summary.stopReason });
    } else if (summary.draining && (summary.state === 'completed' || summary.state === 'restricted')) {
      await startVersionDrain(temporal, config.TEMPORAL_TASK_QUEUE, { journeyId, version: summary.version });
    }
  }

  /**
   * A request retried after its change committed but before its maintenance workflow started is refused
   * (409: the version already moved on); it still starts what the first attempt should have started.
   */
  async function repairAfterConflict(error: unknown, journeyId: string, pick: (journey: JourneyView) => VersionSummary[]): Promise<void> {
    if (!(error instanceof ConflictError)) return;
    try {
      const journey = await journeys.getJourney(journeyId);
      for (const summary of pick(journey)) await startMaintenance(journeyId, summary);
    } catch {
      // The refusal is the answer; the repair is best effort.
    }
  }

  /** Segment entries run on Temporal Schedules that follow their versions' states (shared/segments/schedules.ts). */
  async function syncSchedules(journeyId: string): Promise<void> {
    await reconcileSegmentSchedules(temporal, journeys, journeyId, config.TEMPORAL_TASK_QUEUE);
  }

  /** The versions a publish stopped (`oldVersion: stop`): stopped at the very commit of the publish. */
  function stoppedBy(journey: JourneyView, at: Date | undefined): VersionSummary[] {
    if (!at) return [];
    return journey.versions.filter((v) => v.state === 'stopped' && v.stopReason === 'version_exit' && v.stoppedAt?.getTime() === at.getTime());
  }

  routes.add({
    method: 'post',
    path: '/v1/journeys',
    summary: 'Create a journey from a definition; its version 1 is a draft',
    tag,
    scope: 'admin',
    body: journeyDefinitionSchema,
    responses: { 201: { description: 'Created', schema: journeySchema } },
    async handle({ body, actor }) {
      return { status: 201, body: present(await journeys.createJourney(body, actor)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys',
    summary: 'List journeys, most recently changed first; filter by version state, label and archive flag',
    tag,
    scope: 'read',
    query: z.strictObject({
      state: z.enum(versionStates).optional(),
      label: z.string().min(1).max(64).optional(),
      archived: z.enum(['true', 'false']).default('false'),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    }),
    responses: { 200: { description: 'A page of journeys', schema: z.object({ items: z.array(journeySchema), total: z.number().int() }) } },
    async handle({ query }) {
      const page = await journeys.listJourneys({ ...query, archived: query.archived === 'true' });
      return { status: 200, body: { items: page.items.map(present), total: page.total } };
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
      return ok(await journeys.getJourney(params.id));
    },
  });

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
      return { status: 201, body: { ...present(journey), draftVersion: version } };
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
      return ok(await journeys.editDraft(params.id, params.version, body, actor));
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

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/publish',
    summary: 'Publish a draft after validating it; `oldVersion` says what happens to the previous live version',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.strictObject({ oldVersion: z.enum(['restrict', 'stop', 'keep']).optional() }),
    responses: { 200: { description: 'Published', schema: journeySchema } },
    async handle({ params, body, actor }) {
      let journey: JourneyView;
      try {
        journey = await journeys.publish(params.id, params.version, body, actor);
      } catch (error) {
        await repairAfterConflict(error, params.id, (current) => {
          const published = current.versions.find((v) => v.version === params.version);
          return published && published.state !== 'draft' ? stoppedBy(current, published.publishedAt) : [];
        });
        throw error;
      }
      for (const stopped of stoppedBy(journey, journey.updatedAt)) await startMaintenance(params.id, stopped);
      await syncSchedules(params.id);
      return ok(journey);
    },
  });

  for (const action of ['pause', 'resume'] as const) {
    routes.add({
      method: 'post',
      path: `/v1/journeys/:id/versions/:version/${action}`,
      summary: action === 'pause' ? 'Pause: no new entries; users inside keep moving' : 'Resume a paused version (no back-fill)',
      tag,
      scope: 'admin',
      params: versionParams,
      responses: { 200: { description: 'Done', schema: journeySchema } },
      async handle({ params, actor }) {
        const journey = await journeys[action](params.id, params.version, actor);
        await syncSchedules(params.id);
        return ok(journey);
      },
    });
  }

  routes.add({
    method: 'post',
    path: '/v1/journeys/:id/versions/:version/stop',
    summary: 'Stop: `exit` (default) ends every instance now; `drain` closes entry and stops once instances finish',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.strictObject({ mode: z.enum(['exit', 'drain']).default('exit') }),
    responses: { 200: { description: 'Stopped or draining', schema: journeySchema } },
    async handle({ params, body, actor }) {
      let journey: JourneyView;
      try {
        journey = await journeys.stop(params.id, params.version, body.mode, actor);
      } catch (error) {
        await repairAfterConflict(error, params.id, (current) => current.versions.filter((v) => v.version === params.version));
        throw error;
      }
      const stopped = journey.versions.find((v) => v.version === params.version);
      if (stopped) await startMaintenance(params.id, stopped);
      await syncSchedules(params.id);
      return ok(journey);
    },
  });

  routes.add({
    method: 'patch',
    path: '/v1/journeys/:id/versions/:version/content',
    summary: 'Edit the What in place (message content, provider, manual experiment weights) of a live version',
    tag,
    scope: 'admin',
    params: versionParams,
    body: z.record(slugSchema, z.record(z.string(), z.unknown())).refine((changes) => Object.keys(changes).length > 0, 'name at least one node'),
    responses: {
      200: {
        description: 'The new content revision of each edited node',
        schema: z.object({ journeyId: z.string(), version: z.number().int(), revisions: z.record(z.string(), z.number().int()) }),
      },
    },
    async handle({ params, body, actor }) {
      return { status: 200, body: await journeys.editContent(params.id, params.version, body, actor) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/versions/:version/content/:nodeId/revisions',
    summary: 'The revision history of one node\'s content (revision 0 is what was published)',
    tag,
    scope: 'read',
    params: nodeParams,
    responses: {
      200: {
        description: 'Revisions, oldest first',
        schema: z.object({ items: z.array(z.object({ revision: z.number().int(), content: z.unknown(), actor: z.string(), at: z.date() })) }),
      },
    },
    async handle({ params }) {
      return { status: 200, body: { items: await journeys.contentHistory(params.id, params.version, params.nodeId) } };
    },
  });

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
      return { status: 201, body: present(await journeys.clone(params.id, params.version, body, actor)) };
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
        return ok(await journeys.setArchived(params.id, action === 'archive', actor));
      },
    });
  }
}
