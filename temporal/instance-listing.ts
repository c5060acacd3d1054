import type { Client } from '@temporalio/client';
import type { EntryRecord, EntryStore } from '../store/entries';
import type { JourneyStore } from '../store/journeys';
import { filterKey, readCursor, writeCursor, type Cursor } from './instance-cursor';
import { instanceOfEntry, type Instance, type InstanceStatus } from './instance-view';
import { instancesQuery, visibilityPage } from './visibility';

export interface InstanceListQuery {
  userId?: string;
  status?: InstanceStatus;
  limit: number;
  pageToken?: string;
}

export interface InstancePage {
  items: Instance[];
  nextPageToken?: string;
}

interface ListingDeps {
  temporal: Client;
  /** This deployment's task queue: visibility lists its instances only. */
  taskQueue: string;
  entries: EntryStore;
}

/** A journey's instances from Temporal visibility; with `userId`, that user's, with the entries Temporal forgot. */
export async function listInstances(
  deps: ListingDeps & { journeys: JourneyStore },
  journeyId: string,
  query: InstanceListQuery,
): Promise<InstancePage> {
  await deps.journeys.getJourney(journeyId);
  const filter = filterKey(journeyId, query);
  const cursor = query.pageToken ? readCursor(query.pageToken, filter) : undefined;
  return query.userId !== undefined
    ? userPage(deps, journeyId, { ...query, userId: query.userId }, filter, cursor)
    : journeyPage(deps, journeyId, query, filter, cursor);
}

/** Journey listings: Temporal's order (running first, newest first; then the most recently closed) and pages. */
async function journeyPage(
  { temporal, taskQueue }: ListingDeps,
  journeyId: string,
  query: InstanceListQuery,
  filter: string,
  cursor?: Cursor,
): Promise<InstancePage> {
  const page = await visibilityPage(
    temporal,
    instancesQuery(taskQueue, journeyId, query),
    query.limit,
    cursor?.t ? Buffer.from(cursor.t, 'base64') : undefined,
  );
  return { items: page.items, ...(page.next ? { nextPageToken: writeCursor({ f: filter, t: page.next.toString('base64') }) } : {}) };
}

/** Enough for any real user; older runs still show, from their enrolment records. */
const maxUserRuns = 1000;

async function userRuns({ temporal, taskQueue }: ListingDeps, journeyId: string, userId: string): Promise<Instance[]> {
  const runs: Instance[] = [];
  let token: Buffer | undefined;
  do {
    const page = await visibilityPage(temporal, instancesQuery(taskQueue, journeyId, { userId }), maxUserRuns, token);
    runs.push(...page.items);
    token = page.next;
  } while (token && runs.length < maxUserRuns);
  return runs;
}

/**
 * Runs of one workflow id never overlap in time (Temporal keeps one open run per id), and an entry lies
 * within its own runs: a run and an entry that overlap are one instance.
 */
function overlaps(entry: EntryRecord, run: Instance): boolean {
  const forever = Number.POSITIVE_INFINITY;
  return (
    run.startedAt.getTime() <= (entry.exitedAt?.getTime() ?? forever) && entry.enteredAt.getTime() <= (run.closedAt?.getTime() ?? forever)
  );
}

export type SortKey = [startedAtMs: number, runId: string];
export const sortKey = (item: Instance): SortKey => [item.startedAt.getTime(), item.runId];

/** Newest first: by start time, then by run id, both descending. */
export function newestFirst([aMs, aRun]: SortKey, [bMs, bRun]: SortKey): number {
  return bMs - aMs || (aRun < bRun ? 1 : aRun > bRun ? -1 : 0);
}

export const byNewest = (a: Instance, b: Instance): number => newestFirst(sortKey(a), sortKey(b));

/**
 * One user's instances of one journey: the runs Temporal lists, numbered by their entries, and the entries it
 * has forgotten, newest first.
 */
export function withForgottenEntries(runs: readonly Instance[], records: readonly EntryRecord[]): Instance[] {
  const forgotten = [...records];
  const items = runs.map((run) => {
    const index = forgotten.findIndex((record) => overlaps(record, run));
    return index < 0 ? run : { ...run, entry: forgotten.splice(index, 1)[0]!.entry };
  });
  return [...items, ...forgotten.map(instanceOfEntry)].sort(byNewest);
}

/** Every instance of one user: the runs Temporal lists, numbered by their entries, and the entries it has forgotten. */
async function userInstances(deps: ListingDeps, journeyId: string, userId: string): Promise<Instance[]> {
  const [runs, records] = await Promise.all([userRuns(deps, journeyId, userId), deps.entries.history(journeyId, userId)]);
  return withForgottenEntries(runs, records);
}

/** User listings: newest first (for one user, the same as Temporal's order), paged by the last item's sort key. */
async function userPage(
  deps: ListingDeps,
  journeyId: string,
  query: InstanceListQuery & { userId: string },
  filter: string,
  cursor?: Cursor,
): Promise<InstancePage> {
  const after = cursor?.a;
  const matching = (await userInstances(deps, journeyId, query.userId)).filter(
    (item) => (!query.status || item.status === query.status) && (!after || newestFirst(sortKey(item), after) > 0),
  );
  const items = matching.slice(0, query.limit);
  const last = items.at(-1);
  return { items, ...(matching.length > query.limit && last ? { nextPageToken: writeCursor({ f: filter, a: sortKey(last) }) } : {}) };
}
