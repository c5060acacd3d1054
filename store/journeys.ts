import { randomUUID } from 'node:crypto';
import { graphOf, type EntryType, type JourneyDefinition, type JourneyGraph } from '../domain/definition/schema';
import { defaultLimits, type Limits } from '../domain/definition/limits';
import { unknownProviderProblems, type ProviderNames } from '../domain/delivery/provider-names';
import { validateDefinition } from '../domain/definition/validate';
import { ConflictError, DomainError, NotFoundError } from '../domain/errors';
import * as lifecycle from '../domain/lifecycle/states';
import type { JourneyState, OldVersionChoice, StopMode, VersionSummary } from '../domain/lifecycle/states';
import { isDuplicateKey } from './mongo/errors';
import type { Models } from './mongo/models';
import { SEND_PATH_STALENESS_MS, TtlCache } from './ttl-cache';

/** A journey as the API shows it: its latest committed state. */
export interface JourneyView extends JourneyState {
  id: string;
  revision: number;
  updatedAt: Date;
}

export interface VersionView extends VersionSummary {
  journeyId: string;
  /** The structure plus the current content (the latest in-place edit of each node). */
  definition: JourneyDefinition;
}

/** What `listJourneys` filters by; every filter given must hold. */
export interface JourneyListFilter {
  state?: lifecycle.VersionState;
  label?: string;
  archived?: boolean;
  /** A case-insensitive substring of the journey's name or id. */
  q?: string;
  /** Journeys with a version that enters users this way. */
  entryType?: EntryType;
  /**
   * Journeys created by this actor: the `createdBy` of version 1 (which exists as long as the journey does),
   * whole (`marketing (k_123)`), or the API key's name or id alone.
   */
  createdBy?: string;
  limit: number;
  offset: number;
}

export class InvalidJourneyError extends DomainError {
  constructor(readonly problems: { nodeId?: string; path: string; message: string }[]) {
    super(422, 'invalid_journey', `the journey has ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`, {
      problems,
    });
  }
}

const maxCommitAttempts = 20;
const SNAPSHOT_CACHE_SIZE = 200;

/**
 * Journeys, versions and their content. Immutable documents (definition snapshots, content revisions) are
 * written first; a journey changes by inserting its next revision under a unique (journeyId, revision) key,
 * so of two concurrent changes exactly one commits and the other is re-applied on the new state.
 */
/** One committed change of a journey (its audit trail): the action, who, when, and each version's state after it. */
export interface JourneyChange {
  revision: number;
  action: string;
  actor: string;
  at: Date;
  versions: Array<{ version: number; state: VersionSummary['state']; draining?: boolean }>;
}

export interface JourneyStoreOptions {
  /**
   * The providers configured per channel (platform/providers.ts): publish and What edits refuse content naming
   * another. Unset (the worker, tests of the store): names are not checked.
   */
  providerNames?: ProviderNames;
}

export function createJourneyStore(
  models: Models,
  limits: Limits = defaultLimits,
  clock: () => Date = () => new Date(),
  options: JourneyStoreOptions = {},
) {
  async function latest(journeyId: string) {
    const [doc] = await models.journeyRevisions.find({ journeyId }).sort({ revision: -1 }).limit(1).lean();
    if (!doc) return undefined;
    return { revision: doc.revision, state: doc.state as JourneyState, at: doc.at };
  }

  /*
   * The send path's caches. The head revision (version states) and the What edits of a version are read at
   * most once per SEND_PATH_STALENESS_MS per process: those lookups are not by `_id`, and a send would
   * otherwise pay both. Graphs of published versions never change, so they are kept for good.
   */
  type Head = Awaited<ReturnType<typeof latest>>;
  const heads = new TtlCache<Head>(SEND_PATH_STALENESS_MS);
  const edits = new TtlCache<Map<string, string>>(SEND_PATH_STALENESS_MS);
  const publishedGraphs = new Map<string, JourneyGraph>();
  /** Lifecycle changes committed through this store object: the routing tables rebuild when it moves. */
  let committedChanges = 0;

  function cachedHead(journeyId: string): Promise<Head> {
    return heads.get(journeyId, () => latest(journeyId));
  }

  /** The latest content edit of each node of a version (JSON text), one query for all its nodes. */
  function cachedEdits(journeyId: string, version: number): Promise<Map<string, string>> {
    return edits.get(`${journeyId}@${version}`, async () => {
      const docs = await models.contentRevisions.find({ journeyId, version }).sort({ revision: 1 }).lean();
      return new Map(docs.map((doc) => [doc.nodeId, doc.content]));
    });
  }

  /** The journey as the send path sees it: at most SEND_PATH_STALENESS_MS old. */
  async function cachedJourney(journeyId: string): Promise<JourneyView> {
    const head = await cachedHead(journeyId);
    if (!head || head.state.versions.length === 0) throw new NotFoundError(`journey ${journeyId} does not exist`, { journeyId });
    return view(journeyId, head.revision, lifecycle.settle(head.state, clock()), head.at);
  }

  /**
   * A version as the send path sees it. A cached head that does not know the version yet (published in
   * another process since it was read) is read again at once, so a new version's first instances never fail.
   */
  async function cachedVersion(journeyId: string, version: number): Promise<VersionSummary> {
    try {
      return versionOf(await cachedJourney(journeyId), version);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      heads.delete(journeyId);
      return versionOf(await cachedJourney(journeyId), version);
    }
  }

  async function getJourney(journeyId: string): Promise<JourneyView> {
    const found = await latest(journeyId);
    if (!found || found.state.versions.length === 0) throw new NotFoundError(`journey ${journeyId} does not exist`, { journeyId });
    return view(journeyId, found.revision, lifecycle.settle(found.state, clock()), found.at);
  }

  /**
   * Applies `change` to the latest state and commits it as the next revision; when another change commits
   * first, re-reads and re-applies (the change re-validates against the new state).
   */
  async function mutate<R>(
    journeyId: string,
    action: string,
    actor: string,
    change: (state: JourneyState | undefined, now: Date) => { state: JourneyState; result: R },
  ): Promise<{ journey: JourneyView; result: R }> {
    for (let attempt = 0; attempt < maxCommitAttempts; attempt++) {
      const current = await latest(journeyId);
      const now = clock();
      const exists = current && current.state.versions.length > 0;
      const { state, result } = change(exists ? lifecycle.settle(current.state, now) : undefined, now);
      const revision = (current?.revision ?? 0) + 1;
      try {
        await models.journeyRevisions.create({ journeyId, revision, state, action, actor, at: now });
        heads.delete(journeyId); // this process's sends see the change at once
        committedChanges++;
        return { journey: view(journeyId, revision, state, now), result };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
    throw new ConflictError(`journey ${journeyId} is changing too often; try again`, { journeyId }, 'concurrent_change');
  }

  function existing(journeyId: string, state: JourneyState | undefined): JourneyState {
    if (!state) throw new NotFoundError(`journey ${journeyId} does not exist`, { journeyId });
    return state;
  }

  async function writeSnapshot(journeyId: string, definition: JourneyDefinition): Promise<string> {
    const _id = randomUUID();
    await models.structures.create({ _id, journeyId, definition: JSON.stringify(definition), createdAt: clock() });
    return _id;
  }

  // The entry type of each snapshot read for the journey list (snapshots never change): at most one `_id` read each.
  const entryTypes = new Map<string, EntryType>();
  async function entryTypeOf(structureId: string): Promise<EntryType> {
    let type = entryTypes.get(structureId);
    if (type === undefined) {
      type = (await snapshot(structureId)).entry.type;
      if (entryTypes.size >= 10_000) entryTypes.delete(entryTypes.keys().next().value!);
      entryTypes.set(structureId, type);
    }
    return type;
  }

  // Snapshots never change once written: keep the JSON text of recent ones (each caller parses its own copy).
  const snapshotTexts = new Map<string, string>();
  async function snapshot(structureId: string): Promise<JourneyDefinition> {
    let text = snapshotTexts.get(structureId);
    if (text === undefined) {
      const doc = await models.structures.findById(structureId).lean();
      if (!doc) throw new Error(`definition snapshot ${structureId} is missing`);
      text = doc.definition;
      if (snapshotTexts.size >= SNAPSHOT_CACHE_SIZE) snapshotTexts.delete(snapshotTexts.keys().next().value!);
      snapshotTexts.set(structureId, text);
    }
    return JSON.parse(text) as JourneyDefinition;
  }

  /**
   * What a send reads: the version's lifecycle state and the node's content (the latest in-place edit, or
   * the published snapshot), both at most SEND_PATH_STALENESS_MS old.
   */
  async function sendView(
    journeyId: string,
    version: number,
    nodeId: string,
  ): Promise<{ version: VersionSummary; content?: Record<string, unknown> }> {
    const [summary, edited] = await Promise.all([cachedVersion(journeyId, version), cachedEdits(journeyId, version)]);
    const edit = edited.get(nodeId);
    // Parsed per call: callers get their own copy.
    if (edit !== undefined) return { version: summary, content: JSON.parse(edit) as Record<string, unknown> };
    return { version: summary, content: (await snapshot(summary.structureId)).content[nodeId] };
  }

  /** The latest content of every node of a version: its in-place edits over the published snapshot. */
  async function currentContent(journeyId: string, version: number, definition: JourneyDefinition) {
    const edits = await models.contentRevisions.find({ journeyId, version }).sort({ revision: 1 }).lean();
    const content = { ...definition.content };
    const revisions: Record<string, number> = {};
    for (const edit of edits) {
      content[edit.nodeId] = JSON.parse(edit.content) as JourneyDefinition['content'][string];
      revisions[edit.nodeId] = edit.revision;
    }
    return { content, revisions };
  }

  async function getVersion(journeyId: string, version: number): Promise<VersionView & { contentRevisions: Record<string, number> }> {
    const journey = await getJourney(journeyId);
    const summary = versionOf(journey, version);
    const definition = await snapshot(summary.structureId);
    const { content, revisions } = await currentContent(journeyId, version, definition);
    return { ...summary, journeyId, definition: { ...definition, content }, contentRevisions: revisions };
  }

  async function withEntryType(journeys: JourneyView[], type: EntryType): Promise<JourneyView[]> {
    const matches = await Promise.all(
      journeys.map(async (journey) => {
        for (const version of journey.versions) if ((await entryTypeOf(version.structureId)) === type) return true;
        return false;
      }),
    );
    return journeys.filter((_, index) => matches[index]);
  }

  /** Every publish rule, and (with `providerNames`) that each message's provider is configured here. */
  function assertValid(definition: unknown): JourneyDefinition {
    const result = validateDefinition(definition, limits);
    if (!result.ok) throw new InvalidJourneyError(result.problems);
    const unknownProviders = options.providerNames ? unknownProviderProblems(result.definition, options.providerNames) : [];
    if (unknownProviders.length > 0) throw new InvalidJourneyError(unknownProviders);
    return result.definition;
  }

  return {
    /** How many lifecycle changes this store object has committed (the routing tables rebuild when it moves). */
    changeCount: (): number => committedChanges,

    getJourney,
    getVersion,

    /**
     * The journey's audit trail, oldest first: each committed change (create, publish, pause, resume, stop:exit...)
     * with who made it, when, and every version's state right after. The newest `limit` changes.
     */
    async history(journeyId: string, limit = 200): Promise<JourneyChange[]> {
      const docs = await models.journeyRevisions.find({ journeyId }).sort({ revision: -1 }).limit(limit).lean();
      if (docs.length === 0) throw new NotFoundError(`journey ${journeyId} does not exist`, { journeyId });
      return docs.reverse().map((doc) => ({
        revision: doc.revision,
        action: doc.action,
        actor: doc.actor,
        at: doc.at,
        versions: (doc.state as JourneyState).versions.map(({ version, state, draining }) => ({
          version,
          state,
          ...(draining ? { draining } : {}),
        })),
      }));
    },

    /**
     * The journey as enrolment sees it (the start API, events, batches, enterJourney): cached like the send
     * path, so a version paused or stopped in another process may still take users for up to
     * SEND_PATH_STALENESS_MS; a journey without a running version there is read again at once, so a version
     * just published elsewhere takes its first users without waiting.
     */
    async journeyForEntry(journeyId: string): Promise<JourneyView> {
      try {
        const cached = await cachedJourney(journeyId);
        if (cached.versions.some((version) => version.state === 'running')) return cached;
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      heads.delete(journeyId);
      return cachedJourney(journeyId);
    },

    /**
     * Journeys, newest change first, filtered (see JourneyListFilter). The name, id, label, state and creator are
     * in each journey's head; the entry type costs one cached `_id` read per version snapshot.
     */
    async listJourneys(filter: JourneyListFilter) {
      // FerretDB v1 has no $max accumulator: read the head revision of each journey by its index.
      const ids = (await models.journeyRevisions.distinct('journeyId')) as string[];
      const needle = filter.q?.toLowerCase();
      const heads = await Promise.all(ids.map(async (id) => ({ id, head: await latest(id) })));
      const now = clock();
      const journeys = heads
        .flatMap(({ id, head }) => (head ? [view(id, head.revision, lifecycle.settle(head.state, now), head.at)] : []))
        .filter((j) => j.versions.length > 0)
        .filter((j) => j.archived === (filter.archived ?? false))
        .filter((j) => !filter.label || j.labels.includes(filter.label))
        .filter((j) => !filter.state || j.versions.some((v) => v.state === filter.state))
        .filter((j) => !filter.createdBy || isActor(j.versions.find((v) => v.version === 1)?.createdBy, filter.createdBy))
        .filter((j) => !needle || j.id.toLowerCase().includes(needle) || j.name.toLowerCase().includes(needle))
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.id.localeCompare(b.id));
      const matching = filter.entryType ? await withEntryType(journeys, filter.entryType) : journeys;
      return { items: matching.slice(filter.offset, filter.offset + filter.limit), total: matching.length };
    },

    /**
     * The graph an instance of (journey, version) runs. A published version's graph never changes, so it is
     * read once per process; a draft's is read each time. A caller that has just read the journey passes it.
     */
    async loadGraph(journeyId: string, version: number, journey?: JourneyView): Promise<JourneyGraph> {
      const key = `${journeyId}@${version}`;
      const known = publishedGraphs.get(key);
      if (known) return known;
      const summary = journey ? versionOf(journey, version) : await cachedVersion(journeyId, version);
      const graph = graphOf(await snapshot(summary.structureId));
      if (summary.state !== 'draft') publishedGraphs.set(key, graph);
      return graph;
    },

    sendView,

    /** The content of a node now: the latest in-place edit, or the published snapshot. */
    async contentFor(journeyId: string, version: number, nodeId: string): Promise<Record<string, unknown> | undefined> {
      return (await sendView(journeyId, version, nodeId)).content;
    },

    /** Creates a journey whose version 1 is a draft of `definition`. */
    async createJourney(definition: JourneyDefinition, actor: string) {
      const structureId = await writeSnapshot(definition.id, definition);
      const { journey } = await mutate(definition.id, 'create', actor, (state, now) => {
        if (state) throw new ConflictError(`journey ${definition.id} already exists`, { journeyId: definition.id }, 'journey_exists');
        const empty: JourneyState = { name: definition.name, labels: definition.labels, archived: false, versions: [] };
        const added = lifecycle.addDraft(empty, { structureId, description: definition.description ?? '', actor, now }, limits.maxVersions);
        return { state: added.state, result: added.version };
      });
      return journey;
    },

    /** A new draft: a deep copy of version `from`, or the given definition (for deploys from files). */
    async createDraft(journeyId: string, source: { from: number } | { definition: JourneyDefinition }, actor: string) {
      let definition: JourneyDefinition;
      if ('from' in source) {
        const origin = await getVersion(journeyId, source.from);
        lifecycle.assertAllowed(origin, 'newVersion');
        definition = origin.definition;
      } else {
        definition = source.definition;
        if (definition.id !== journeyId) throw idMismatch(journeyId, definition.id);
      }
      const structureId = await writeSnapshot(journeyId, definition);
      const { journey, result } = await mutate(journeyId, 'newVersion', actor, (state, now) => {
        const current = existing(journeyId, state);
        if ('from' in source) lifecycle.assertAllowed(lifecycle.findVersion(current, source.from), 'newVersion');
        const added = lifecycle.addDraft(
          current,
          { structureId, description: definition.description ?? '', actor, now },
          limits.maxVersions,
        );
        // A definition from a file also renames and relabels the journey, as editing a draft does.
        const named = 'definition' in source ? { ...added.state, name: definition.name, labels: definition.labels } : added.state;
        return { state: named, result: added.version };
      });
      return { journey, version: result };
    },

    async editDraft(journeyId: string, version: number, definition: JourneyDefinition, actor: string) {
      if (definition.id !== journeyId) throw idMismatch(journeyId, definition.id);
      // Refuse a structural edit of a published version before writing anything.
      lifecycle.editDraft(await getJourney(journeyId), version, '', '');
      const structureId = await writeSnapshot(journeyId, definition);
      return (
        await mutate(journeyId, 'edit', actor, (state) => {
          const edited = lifecycle.editDraft(existing(journeyId, state), version, structureId, definition.description ?? '');
          return { state: { ...edited, name: definition.name, labels: definition.labels }, result: undefined };
        })
      ).journey;
    },

    async deleteDraft(journeyId: string, version: number, actor: string) {
      return (
        await mutate(journeyId, 'delete', actor, (state) => ({
          state: lifecycle.deleteDraft(existing(journeyId, state), version),
          result: undefined,
        }))
      ).journey;
    },

    /** Validates the draft with every publish rule, then publishes it. */
    async publish(journeyId: string, version: number, options: { oldVersion?: OldVersionChoice }, actor: string) {
      const journey = await getJourney(journeyId);
      const summary = versionOf(journey, version);
      lifecycle.assertAllowed(summary, 'publish');
      const definition = assertValid(await snapshot(summary.structureId));
      const startAt = definition.settings.startAt ? new Date(definition.settings.startAt) : undefined;
      const endAt = definition.settings.endAt ? new Date(definition.settings.endAt) : undefined;
      return (
        await mutate(journeyId, 'publish', actor, (state, now) => {
          const current = existing(journeyId, state);
          if (lifecycle.findVersion(current, version).structureId !== summary.structureId) {
            throw new ConflictError(`version ${version} was edited meanwhile; publish again`, { version }, 'concurrent_change');
          }
          return {
            state: lifecycle.publish(current, version, { actor, now, oldVersion: options.oldVersion, startAt, endAt }),
            result: undefined,
          };
        })
      ).journey;
    },

    async pause(journeyId: string, version: number, actor: string) {
      return (
        await mutate(journeyId, 'pause', actor, (state) => ({
          state: lifecycle.pause(existing(journeyId, state), version),
          result: undefined,
        }))
      ).journey;
    },

    async resume(journeyId: string, version: number, actor: string) {
      return (
        await mutate(journeyId, 'resume', actor, (state, now) => ({
          state: lifecycle.resume(existing(journeyId, state), version, now),
          result: undefined,
        }))
      ).journey;
    },

    async stop(journeyId: string, version: number, mode: StopMode, actor: string) {
      return (
        await mutate(journeyId, `stop:${mode}`, actor, (state, now) => ({
          state: lifecycle.stop(existing(journeyId, state), version, mode, now),
          result: undefined,
        }))
      ).journey;
    },

    /** Called when a one-time segment entry's last run is over: the version admits nobody again. */
    async closeEntry(journeyId: string, version: number, actor: string) {
      return (
        await mutate(journeyId, 'closeEntry', actor, (state) => ({
          state: lifecycle.closeEntry(existing(journeyId, state), version),
          result: undefined,
        }))
      ).journey;
    },

    /** Called when a completed or draining version has no instances left. */
    async finishDrain(journeyId: string, version: number, actor: string) {
      return (
        await mutate(journeyId, 'finishDrain', actor, (state, now) => ({
          state: lifecycle.finishDrain(existing(journeyId, state), version, now),
          result: undefined,
        }))
      ).journey;
    },

    async setArchived(journeyId: string, archived: boolean, actor: string) {
      return (
        await mutate(journeyId, archived ? 'archive' : 'unarchive', actor, (state) => ({
          state: lifecycle.setArchived(existing(journeyId, state), archived),
          result: undefined,
        }))
      ).journey;
    },

    /**
     * In-place "What" edit of published nodes: message content, provider, manual experiment weights.
     * The edited definition must pass every publish rule. Each node gets its next content revision.
     */
    async editContent(journeyId: string, version: number, changes: Record<string, Record<string, unknown>>, actor: string) {
      const current = await getVersion(journeyId, version);
      lifecycle.assertAllowed(current, 'editWhat');
      const unknown = Object.keys(changes).filter((nodeId) => !(nodeId in current.definition.nodes));
      if (unknown.length > 0) {
        throw new InvalidJourneyError(
          unknown.map((nodeId) => ({ nodeId, path: `content.${nodeId}`, message: `there is no node ${nodeId} in version ${version}` })),
        );
      }
      assertValid({ ...current.definition, content: { ...current.definition.content, ...changes } });
      const revisions: Record<string, number> = {};
      for (const [nodeId, content] of Object.entries(changes)) {
        revisions[nodeId] = await insertContentRevision(journeyId, version, nodeId, content, actor);
      }
      edits.delete(`${journeyId}@${version}`); // this process's sends see the edit at once
      return { journeyId, version, revisions };
    },

    async contentHistory(journeyId: string, version: number, nodeId: string) {
      const current = await getVersion(journeyId, version);
      if (!(nodeId in current.definition.nodes)) throw new NotFoundError(`version ${version} has no node ${nodeId}`, { nodeId });
      const edits = await models.contentRevisions.find({ journeyId, version, nodeId }, { _id: 0 }).sort({ revision: 1 }).lean();
      const published = (await snapshot(current.structureId)).content[nodeId];
      return [
        ...(published
          ? [
              {
                revision: 0,
                content: published,
                actor: current.publishedBy ?? current.createdBy,
                at: current.publishedAt ?? current.createdAt,
              },
            ]
          : []),
        ...edits.map(({ revision, content, actor, at }) => ({ revision, content: JSON.parse(content) as unknown, actor, at })),
      ];
    },

    /** A new journey in draft with a deep copy of a version's structure and current content. */
    async clone(journeyId: string, version: number, target: { id: string; name?: string }, actor: string) {
      const origin = await getVersion(journeyId, version);
      lifecycle.assertAllowed(origin, 'clone');
      const definition: JourneyDefinition = {
        ...origin.definition,
        id: target.id,
        name: target.name ?? `${origin.definition.name} (copy)`,
      };
      return this.createJourney(definition, actor);
    },
  };

  async function insertContentRevision(
    journeyId: string,
    version: number,
    nodeId: string,
    content: Record<string, unknown>,
    actor: string,
  ) {
    for (let attempt = 0; attempt < maxCommitAttempts; attempt++) {
      const [last] = await models.contentRevisions.find({ journeyId, version, nodeId }).sort({ revision: -1 }).limit(1).lean();
      const revision = (last?.revision ?? 0) + 1;
      try {
        await models.contentRevisions.create({
          journeyId,
          version,
          nodeId,
          revision,
          content: JSON.stringify(content),
          actor,
          at: clock(),
        });
        return revision;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new ConflictError(`content of ${nodeId} is changing too often; try again`, { nodeId }, 'concurrent_change');
  }
}

export type JourneyStore = ReturnType<typeof createJourneyStore>;

/** Whether an audit actor (`name`, or `name (id)` when the key's name is not its id) is `wanted`: whole, name or id. */
function isActor(actor: string | undefined, wanted: string): boolean {
  if (actor === undefined) return false;
  return actor === wanted || actor.startsWith(`${wanted} (`) || actor.endsWith(` (${wanted})`);
}

function view(id: string, revision: number, state: JourneyState, updatedAt: Date): JourneyView {
  return { id, revision, updatedAt, ...state };
}

function versionOf(journey: JourneyView, version: number): VersionSummary {
  const found = journey.versions.find((v) => v.version === version);
  if (!found) throw new NotFoundError(`journey ${journey.id} has no version ${version}`, { journeyId: journey.id, version });
  return found;
}

function idMismatch(journeyId: string, definitionId: string): DomainError {
  return new DomainError(400, 'invalid_input', `the definition's id (${definitionId}) is not the journey's id (${journeyId})`, {
    problems: [{ path: 'body.id', message: `must be ${journeyId}` }],
  });
}
