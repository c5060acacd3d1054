import type { Client } from '@temporalio/client';
import type { EntryStore } from '../store/entries';
import type { JourneyStore } from '../store/journeys';
import { filterKey, readCursor, writeCursor } from './instance-cursor';
import { byNewest, newestFirst, sortKey, withForgottenEntries, type InstancePage } from './instance-listing';
import type { Instance, InstanceStatus } from './instance-view';
import { deploymentInstances, visibilityPage, visibilityQuote } from './visibility';

export interface UserInstanceQuery {
  status?: InstanceStatus;
  limit: number;
  pageToken?: string;
}

interface UserListingDeps {
  temporal: Client;
  /** This deployment's task queue: visibility lists its instances only. */
  taskQueue: string;
  journeys: JourneyStore;
  entries: EntryStore;
}

/** Every run of the user in every journey of this deployment, each instance once (as its latest run). */
export function userRunsQuery(taskQueue: string, userId: string): string {
  return `${deploymentInstances(taskQueue)} AND UserId = ${visibilityQuote(userId)} AND ExecutionStatus != "ContinuedAsNew"`;
}

/** Enough for any real user; older runs still show, from their enrolment records. */
const maxUserRuns = 1000;

/** No journey id is `*` (ids are slugs): a token of a journey's listing is refused here. */
const acrossJourneys = '*';

async function userRuns({ temporal, taskQueue }: UserListingDeps, userId: string): Promise<Instance[]> {
  const runs: Instance[] = [];
  let token: Buffer | undefined;
  do {
    const page = await visibilityPage(temporal, userRunsQuery(taskQueue, userId), maxUserRuns, token);
    runs.push(...page.items);
    token = page.next;
  } while (token && runs.length < maxUserRuns);
  return runs;
}

/** Every journey id, archived ones included: a user's past instances outlive the journey's place in the list. */
async function journeyIds(journeys: JourneyStore): Promise<string[]> {
  const all = { limit: Number.MAX_SAFE_INTEGER, offset: 0 };
  const [live, archived] = await Promise.all([
    journeys.listJourneys({ ...all, archived: false }),
    journeys.listJourneys({ ...all, archived: true }),
  ]);
  return [...live.items, ...archived.items].map((journey) => journey.id);
}

/**
 * A user's instances across the journeys of this deployment, newest first: the runs Temporal lists, numbered
 * by their enrolment records, and the entries Temporal has forgotten (read by `_id`, journey by journey, which
 * FerretDB answers from its index). Paged by the last item's sort key, as a journey's user listing is.
 */
export async function listUserInstances(deps: UserListingDeps, userId: string, query: UserInstanceQuery): Promise<InstancePage> {
  const filter = filterKey(acrossJourneys, { userId, ...(query.status ? { status: query.status } : {}) });
  const after = query.pageToken ? readCursor(query.pageToken, filter).a : undefined;
  const [runs, ids] = await Promise.all([userRuns(deps, userId), journeyIds(deps.journeys)]);
  const perJourney = await Promise.all(
    ids.map(async (journeyId) =>
      withForgottenEntries(
        runs.filter((run) => run.journeyId === journeyId),
        await deps.entries.history(journeyId, userId),
      ),
    ),
  );
  // Runs of a journey no longer in the store (deleted) still show.
  const known = new Set(ids);
  const orphans = runs.filter((run) => !known.has(run.journeyId));
  const matching = [...perJourney.flat(), ...orphans]
    .sort(byNewest)
    .filter((item) => (!query.status || item.status === query.status) && (!after || newestFirst(sortKey(item), after) > 0));
  const items = matching.slice(0, query.limit);
  const last = items.at(-1);
  return { items, ...(matching.length > query.limit && last ? { nextPageToken: writeCursor({ f: filter, a: sortKey(last) }) } : {}) };
}
