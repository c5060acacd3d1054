import { graphOf, type JourneyDefinition, type JourneyGraph } from '../definition/schema';
import { ConflictError, NotFoundError } from '../errors';
import type { JourneyDoc, Models, VersionState } from '../mongo/models';

type VersionSummary = JourneyDoc['versions'][number];

/** States in which a version accepts new users or is about to. At most one version per journey is in one. */
const activeStates: VersionState[] = ['scheduled', 'running', 'paused'];

export function activeVersionOf(journey: Pick<JourneyDoc, 'versions'>): VersionSummary | undefined {
  return journey.versions.find((v) => activeStates.includes(v.state as VersionState));
}

/**
 * Journeys and their versions. Immutable documents (version structure, content) are written first;
 * one guarded update of the journey document (its revision) then makes them visible.
 */
export function createJourneyStore(models: Models) {
  async function getJourney(journeyId: string) {
    const journey = await models.journeys.findById(journeyId).lean();
    if (!journey) throw new NotFoundError(`journey ${journeyId} does not exist`, { journeyId });
    return journey;
  }

  async function writeVersion(journeyId: string, version: number, definition: JourneyDefinition): Promise<void> {
    const structure: JourneyGraph = graphOf(definition);
    await models.versions.create({ journeyId, version, structure });
    const contents = Object.entries(definition.content).map(([nodeId, content]) => ({ journeyId, version, nodeId, content }));
    if (contents.length > 0) await models.contents.insertMany(contents);
  }

  return {
    getJourney,

    /** Creates a journey whose version 1 is a draft of `definition`. */
    async createJourney(definition: JourneyDefinition, actor: string) {
      if (await models.journeys.exists({ _id: definition.id })) {
        throw new ConflictError(`journey ${definition.id} already exists`, { journeyId: definition.id }, 'journey_exists');
      }
      try {
        await writeVersion(definition.id, 1, definition);
      } catch (error) {
        if (isDuplicateKey(error)) {
          throw new ConflictError(`journey ${definition.id} already exists`, { journeyId: definition.id }, 'journey_exists');
        }
        throw error;
      }
      const now = new Date();
      const draft = { version: 1, state: 'draft', description: definition.description ?? '', createdBy: actor, createdAt: now };
      const created = await models.journeys.create({
        _id: definition.id,
        name: definition.name,
        labels: definition.labels,
        versions: [draft],
      });
      return created.toObject();
    },

    /** Publishes a draft: it starts running at once when no other version is active. */
    async publish(journeyId: string, version: number, actor: string) {
      const journey = await getJourney(journeyId);
      const target = journey.versions.find((v) => v.version === version);
      if (!target) throw new NotFoundError(`journey ${journeyId} has no version ${version}`, { journeyId, version });
      if (target.state !== 'draft') {
        throw new ConflictError(`version ${version} is ${target.state}; only a draft can be published`, {
          state: target.state,
        });
      }
      const active = activeVersionOf(journey);
      if (active) {
        throw new ConflictError(`version ${active.version} is ${active.state}`, { activeVersion: active.version });
      }
      const now = new Date();
      const versions = journey.versions.map((v) =>
        v.version === version ? { ...v, state: 'running', publishedBy: actor, publishedAt: now } : v,
      );
      // FerretDB v1 has no positional "$" updates: the whole summary is replaced, guarded by the revision.
      const updated = await models.journeys
        .findOneAndUpdate({ _id: journeyId, revision: journey.revision }, { $set: { versions }, $inc: { revision: 1 } }, { new: true })
        .lean();
      if (!updated) throw new ConflictError(`journey ${journeyId} changed meanwhile; try again`, {}, 'concurrent_change');
      return updated;
    },
  };
}

export type JourneyStore = ReturnType<typeof createJourneyStore>;

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
