import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
// The SDK's own decoding of a raw visibility record (what `client.workflow.list` yields), which the raw call
// below needs because `list` does not expose Temporal's page token.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors';
import { parseInstanceWorkflowId, slugSchema, userIdSchema } from '../../shared/ids';
import { journeyNodeKey, journeyStatusKey, journeyVersionKey } from '../../shared/search-attributes';
import { createEntryStore, type EntryRecord, type EntryStore } from '../../shared/store/entries';
import type { journeyWorkflow } from '../../workflows';
import type { ExitReason, JourneyResult } from '../../workflows/context';
import { stateQuery, stopSignal, type JourneyStateView } from '../../workflows/signals';
import type { ApiDeps } from '../deps';
import type { Routes } from '../http/route';

const statuses = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] as const;
type Status = (typeof statuses)[number];
/** Temporal's `ExecutionStatus` spelling of each status, for visibility queries. */
const visibilityStatus: Record<Status, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

const exitReasons = ['goal', 'timeout', 'exited', 'completed', 'version_exit', 'stopped', 'control', 'not_eligible'] as const satisfies readonly ExitReason[];
const exitReasonSchema = z.enum(exitReasons);

/** `journey:{journeyId}:user:{userId}`, both parts valid ids (anything else is no journey instance). */
function isInstanceId(workflowId: string): boolean {
  const ids = parseInstanceWorkflowId(workflowId);
  return ids !== undefined && slugSchema.safeParse(ids.journeyId).success && userIdSchema.safeParse(ids.userId).success;
}
const instanceParams = z.object({
  workflowId: z.string().max(256).refine(isInstanceId, 'not a journey instance id: journey:{journeyId}:user:{userId}'),
});

const instanceSchema = z.object({
  workflowId: z.string(),
  /** The run listed: the latest run of the instance (or, from an enrolment record, its first run). */
  runId: z.string(),
  journeyId: z.string(),
  userId: z.string(),
  version: z.number().int(),
  /** `unknown`: an enrolment record only, whose run Temporal no longer (or not yet) lists. */
  status: z.enum([...statuses, 'unknown']),
  /** The node the instance is on, or ended on. */
  currentNode: z.string().optional(),
  exitReason: z.string().optional(),
  /** The user's entry number (with `userId`). */
  entry: z.number().int().optional(),
  startedAt: z.date(),
  closedAt: z.date().optional(),
  /** `entries`: from the enrolment record of an entry that Temporal has forgotten (older than its retention). */
  source: z.enum(['temporal', 'entries']),
});
type Instance = z.infer<typeof instanceSchema>;

const iso = z.iso.datetime();
const stateSchema = z.object({
  journeyId: z.string(),
  version: z.number().int(),
  userId: z.string(),
  runId: z.string(),
  entry: z.number().int().optional(),
  status: z.enum(['active', 'exited']),
  control: z.boolean(),
  currentNode: z.string().optional(),
  waitingFor: z.string().optional().describe('`time`, `event <name>`, `send (<channel>)`, `goal`'),
  until: iso.optional(),
  path: z.array(z.string()),
  experiments: z.record(z.string(), z.string()),
  goals: z.array(z.string()),
  goalsMet: z.array(z.string()),
  enteredAt: iso.optional(),
  timeoutAt: iso.optional(),
  exitReason: exitReasonSchema.optional(),
}) satisfies z.ZodType<JourneyStateView>;

const resultSchema = z.object({
  reason: exitReasonSchema,
  nodeId: z.string().optional(),
  path: z.array(z.string()),
  goalId: z.string().optional(),
  control: z.literal(true).optional(),
  errors: z.array(z.object({ nodeId: z.string(), message: z.string(), at: z.number() })).optional(),
  enrolments: z.array(z.object({ nodeId: z.string(), journeyId: z.string(), status: z.string() })).optional(),
}) satisfies z.ZodType<JourneyResult>;

const instanceDetailSchema = instanceSchema.omit({ entry: true, source: true }).extend({
  /** Running: the instance's `state` query. */
  state: stateSchema.optional(),
  /** Completed: the workflow's result (exit reason, node, path). */
  result: resultSchema.optional(),
});

const listQuery = z.strictObject({
  userId: userIdSchema.optional(),
  status: z.enum(statuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().min(1).max(4096).optional(),
});
type ListQuery = z.infer<typeof listQuery>;

interface Page {
  items: Instance[];
  nextPageToken?: string;
}

/** A visibility string literal: quotes and backslashes in user input stay data, never query syntax. */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

/** Every run but the continued-as-new ones, so that each instance is listed once, as its latest run. */
function instancesQuery(journeyId: string, filter: { userId?: string; status?: Status }): string {
  return [
    'WorkflowType = "journeyWorkflow"',
    `JourneyId = ${quote(journeyId)}`,
    ...(filter.userId !== undefined ? [`UserId = ${quote(filter.userId)}`] : []),
    filter.status ? `ExecutionStatus = "${visibilityStatus[filter.status]}"` : 'ExecutionStatus != "ContinuedAsNew"',
  ].join(' AND ');
}

function statusOf(temporalName: string): Status | 'unknown' {
  const status = temporalName.toLowerCase();
  return (statuses as readonly string[]).includes(status) ? (status as Status) : 'unknown';
}

type RunInfo = Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'status' | 'startTime' | 'closeTime' | 'typedSearchAttributes'>;

/** A run as the API shows it, from its search attributes; undefined for a run that is no journey instance. */
function instanceOfRun(info: RunInfo): Instance | undefined {
  const ids = parseInstanceWorkflowId(info.workflowId);
  const version = info.typedSearchAttributes.get(journeyVersionKey);
  if (!ids || version === undefined) return undefined;
  const node = info.typedSearchAttributes.get(journeyNodeKey);
  const journeyStatus = info.typedSearchAttributes.get(journeyStatusKey);
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    ...ids,
    version,
    status: statusOf(info.status.name),
    ...(node !== undefined ? { currentNode: node } : {}),
    ...(journeyStatus?.startsWith('exited:') ? { exitReason: journeyStatus.slice('exited:'.length) } : {}),
    startedAt: info.startTime,
    ...(info.closeTime ? { closedAt: info.closeTime } : {}),
    source: 'temporal',
  };
}

/**
 * What an enrolment record tells of its run: exits the workflow recorded itself are `completed`; runs that
 * ended without one were recorded later as `instance_<status>` by the enrolment check.
 */
function entryStatus(entry: EntryRecord): Status | 'unknown' {
  if (!entry.exitedAt || entry.exitReason === undefined) return 'unknown';
  return entry.exitReason.startsWith('instance_') ? statusOf(entry.exitReason.slice('instance_'.length)) : 'completed';
}

function instanceOfEntry(entry: EntryRecord): Instance {
  return {
    workflowId: entry.instanceId,
    runId: entry.runId,
    journeyId: entry.journeyId,
    userId: entry.userId,
    version: entry.version,
    status: entryStatus(entry),
    ...(entry.exitNodeId !== undefined ? { currentNode: entry.exitNodeId } : {}),
    ...(entry.exitReason !== undefined ? { exitReason: entry.exitReason } : {}),
    entry: entry.entry,
    startedAt: entry.enteredAt,
    ...(entry.exitedAt ? { closedAt: entry.exitedAt } : {}),
    source: 'entries',
  };
}

/** One page of visibility, with Temporal's own page token. */
async function visibilityPage(temporal: Client, query: string, pageSize: number, token?: Buffer): Promise<{ items: Instance[]; next?: Buffer }> {
  const { namespace } = temporal.options;
  const response = await temporal.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken: token ?? Buffer.alloc(0) });
  const infos = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, temporal.workflow.options.loadedDataConverter, raw, namespace)));
  const next = response.nextPageToken;
  return { items: infos.flatMap((info) => instanceOfRun(info) ?? []), ...(next && next.length > 0 ? { next: Buffer.from(next) } : {}) };
}

/**
 * Page tokens are ours: Temporal's token (journey listings) or the last item's sort key (user listings),
 * bound to the listing's filters so a token of another listing (or garbage) is refused, not passed on.
 */
const cursorSchema = z.object({ f: z.string(), t: z.string().optional(), a: z.tuple([z.number(), z.string()]).optional() });
type Cursor = z.infer<typeof cursorSchema>;

function filterKey(journeyId: string, query: ListQuery): string {
  return createHash('sha256').update(JSON.stringify([journeyId, query.userId ?? null, query.status ?? null])).digest('base64url').slice(0, 16);
}

function writeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function readCursor(token: string, filter: string): Cursor {
  let cursor: Cursor | undefined;
  try {
    cursor = cursorSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    // Not one of our tokens: refused below.
  }
  if (cursor?.f !== filter) {
    const message = 'not a page token of this listing (same journey, userId and status)';
    throw new InvalidInputError(`invalid query: query.pageToken: ${message}`, [{ path: 'query.pageToken', message }]);
  }
  return cursor;
}

/** Journey listings: Temporal's order (running first, newest first; then the most recently closed) and pages. */
async function journeyPage(temporal: Client, journeyId: string, query: ListQuery, filter: string, cursor?: Cursor): Promise<Page> {
  const page = await visibilityPage(temporal, instancesQuery(journeyId, query), query.limit, cursor?.t ? Buffer.from(cursor.t, 'base64') : undefined);
  return { items: page.items, ...(page.next ? { nextPageToken: writeCursor({ f: filter, t: page.next.toString('base64') }) } : {}) };
}

/** Enough for any real user; older runs still show, from their enrolment records. */
const maxUserRuns = 1000;

async function userRuns(temporal: Client, journeyId: string, userId: string): Promise<Instance[]> {
  const runs: Instance[] = [];
  let token: Buffer | undefined;
  do {
    const page = await visibilityPage(temporal, instancesQuery(journeyId, { userId }), maxUserRuns, token);
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
  return run.startedAt.getTime() <= (entry.exitedAt?.getTime() ?? forever) && entry.enteredAt.getTime() <= (run.closedAt?.getTime() ?? forever);
}

type SortKey = [startedAtMs: number, runId: string];
const sortKey = (item: Instance): SortKey => [item.startedAt.getTime(), item.runId];

/** Newest first: by start time, then by run id, both descending. */
function newestFirst([aMs, aRun]: SortKey, [bMs, bRun]: SortKey): number {
  return bMs - aMs || (aRun < bRun ? 1 : aRun > bRun ? -1 : 0);
}

/** Every instance of one user: the runs Temporal lists, numbered by their entries, and the entries it has forgotten. */
async function userInstances(temporal: Client, entries: EntryStore, journeyId: string, userId: string): Promise<Instance[]> {
  const [runs, records] = await Promise.all([userRuns(temporal, journeyId, userId), entries.history(journeyId, userId)]);
  const forgotten = [...records];
  const items = runs.map((run) => {
    const index = forgotten.findIndex((record) => overlaps(record, run));
    return index < 0 ? run : { ...run, entry: forgotten.splice(index, 1)[0]!.entry };
  });
  return [...items, ...forgotten.map(instanceOfEntry)].sort((a, b) => newestFirst(sortKey(a), sortKey(b)));
}

/** User listings: newest first (for one user, the same as Temporal's order), paged by the last item's sort key. */
async function userPage(temporal: Client, entries: EntryStore, journeyId: string, query: ListQuery & { userId: string }, filter: string, cursor?: Cursor): Promise<Page> {
  const after = cursor?.a;
  const matching = (await userInstances(temporal, entries, journeyId, query.userId)).filter(
    (item) => (!query.status || item.status === query.status) && (!after || newestFirst(sortKey(item), after) > 0),
  );
  const items = matching.slice(0, query.limit);
  const last = items.at(-1);
  return { items, ...(matching.length > query.limit && last ? { nextPageToken: writeCursor({ f: filter, a: sortKey(last) }) } : {}) };
}

async function describeInstance(temporal: Client, workflowId: string) {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    const instance = instanceOfRun(description);
    if (instance) return { description, instance };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  throw new NotFoundError(`instance ${workflowId} does not exist (or Temporal no longer keeps it)`, { workflowId });
}

function instanceClosed(workflowId: string, status: string): ConflictError {
  // Not `status`: that is the problem's HTTP status.
  return new ConflictError(`instance ${workflowId} has already ended (${status})`, { workflowId, instanceStatus: status }, 'instance_closed');
}

export function addInstanceRoutes(routes: Routes, { temporal, journeys, models }: ApiDeps): void {
  const tag = 'Instances';
  const entries = createEntryStore(models);

  routes.add({
    method: 'get',
    path: '/v1/journeys/:id/instances',
    summary: "A journey's instances from Temporal visibility (eventually consistent); with `userId`, that user's instances",
    tag,
    scope: 'read',
    params: z.object({ id: slugSchema }),
    query: listQuery,
    responses: {
      200: {
        description:
          'Running instances first, newest first, then closed ones, most recently closed first. With `userId`, also the ' +
          "user's entries that Temporal has forgotten (from the enrolment records, `source: entries`). Pass `nextPageToken` " +
          'back as `pageToken` for the next page.',
        schema: z.object({ items: z.array(instanceSchema), nextPageToken: z.string().optional() }),
      },
    },
    async handle({ params, query }) {
      await journeys.getJourney(params.id);
      const filter = filterKey(params.id, query);
      const cursor = query.pageToken ? readCursor(query.pageToken, filter) : undefined;
      const page =
        query.userId !== undefined
          ? await userPage(temporal, entries, params.id, { ...query, userId: query.userId }, filter, cursor)
          : await journeyPage(temporal, params.id, query, filter, cursor);
      return { status: 200, body: page };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/instances/:workflowId',
    summary: 'One instance: where a running one is and what it waits for, or how a closed one ended',
    tag,
    scope: 'read',
    params: instanceParams,
    responses: { 200: { description: 'The instance (its latest run)', schema: instanceDetailSchema } },
    async handle({ params }) {
      const { description, instance } = await describeInstance(temporal, params.workflowId);
      const { source: _source, ...detail } = instance;
      const run = temporal.workflow.getHandle<typeof journeyWorkflow>(params.workflowId, description.runId, { followRuns: false });
      if (instance.status === 'running') return { status: 200, body: { ...detail, state: await run.query(stateQuery) } };
      // Only a completed run has a result; a terminated or failed one has its status.
      if (instance.status === 'completed') return { status: 200, body: { ...detail, result: await run.result() } };
      return { status: 200, body: detail };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/instances/:workflowId/exit',
    summary: 'Make a running instance exit now with reason `stopped` (support cases)',
    tag,
    scope: 'admin',
    params: instanceParams,
    responses: {
      202: {
        description: 'The `stop` signal is delivered; the instance exits at once with reason `stopped`. 409 `instance_closed` when it has already ended.',
        schema: z.object({ workflowId: z.string(), runId: z.string(), reason: z.literal('stopped') }),
      },
    },
    async handle({ params }) {
      const { instance } = await describeInstance(temporal, params.workflowId);
      if (instance.status !== 'running') throw instanceClosed(instance.workflowId, instance.status);
      try {
        // By workflow id, so a run that continued as new gets it; with the version, so a user who re-entered
        // a newer version meanwhile ignores it.
        await temporal.workflow.getHandle(params.workflowId).signal(stopSignal, { reason: 'stopped', version: instance.version });
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) throw instanceClosed(instance.workflowId, 'closed meanwhile');
        throw error;
      }
      return { status: 202, body: { workflowId: instance.workflowId, runId: instance.runId, reason: 'stopped' } };
    },
  });
}
