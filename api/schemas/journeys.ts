import { z } from 'zod';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { slugSchema } from '../../domain/ids';
import { allowedActions, lifecycleActions, versionStates } from '../../domain/lifecycle/states';
import type { JourneyView } from '../../store/journeys';

export const journeyParams = z.object({ id: slugSchema });
export const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });
export const nodeParams = versionParams.extend({ nodeId: slugSchema });

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
export const journeySchema = z.object({
  id: z.string(),
  name: z.string(),
  labels: z.array(z.string()),
  archived: z.boolean(),
  revision: z.number().int(),
  updatedAt: z.date(),
  versions: z.array(versionSummarySchema),
});
export const journeyChangeSchema = z.object({
  revision: z.number().int(),
  action: z
    .string()
    .describe(
      'create, newVersion, edit, delete, publish, pause, resume, stop:exit, stop:drain, closeEntry, finishDrain, archive, unarchive',
    ),
  actor: z.string().describe('The API key that made the change: its name, with its id when they differ'),
  at: z.date(),
  versions: z.array(z.object({ version: z.number().int(), state: z.enum(versionStates), draining: z.boolean().optional() })),
});
export const versionSchema = versionSummarySchema.extend({
  journeyId: z.string(),
  definition: journeyDefinitionSchema,
  contentRevisions: z.record(z.string(), z.number().int()),
});

/** The API's view of a journey (`journeySchema`): the internal snapshot id stays internal; each version lists what it allows. */
export function presentJourney(journey: JourneyView) {
  const { id, name, labels, archived, revision, updatedAt } = journey;
  return {
    id,
    name,
    labels,
    archived,
    revision,
    updatedAt,
    versions: journey.versions.map(({ structureId: _internal, ...version }) => ({
      ...version,
      allowedActions: allowedActions[version.state],
    })),
  };
}
