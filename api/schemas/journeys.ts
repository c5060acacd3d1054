import { z } from 'zod';
import { slugSchema } from '../../domain/ids';
import { journeyChangeSchema, journeySchema, versionSchema } from '../../domain/lifecycle/journey-json';
import { allowedActions } from '../../domain/lifecycle/states';
import type { JourneyView } from '../../store/journeys';

export const journeyParams = z.object({ id: slugSchema });
export const versionParams = z.object({ id: slugSchema, version: z.coerce.number().int().min(1).max(1_000_000) });
export const nodeParams = versionParams.extend({ nodeId: slugSchema });

/** The journey, version and history answers: their schemas are shared with the CLI and the console (domain/lifecycle/journey-json.ts). */
export { journeyChangeSchema, journeySchema, versionSchema };

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
