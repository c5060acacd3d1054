import { z } from 'zod';
import { slugSchema } from '../../domain/ids';
import { journeySchema, versionSchema } from '../../domain/lifecycle/journey-json';
import { allowedActions, versionStates } from '../../domain/lifecycle/states';
import type { JourneyView } from '../../store/journeys';

export const journeyParams = z.object({ id: slugSchema });
export const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });
export const nodeParams = versionParams.extend({ nodeId: slugSchema });

/** The journey and version answers: their schemas are shared with the CLI and the console (domain/lifecycle/journey-json.ts). */
export { journeySchema, versionSchema };

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
