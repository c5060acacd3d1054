/**
 * An in-memory world for journey workflows on a test server: journey graphs and What, profiles, sends,
 * and the lifecycle contract (entry claims and facts) implemented faithfully in memory. Used by
 * test/workflow/runtime.test.ts and by test/replay/record-histories.ts.
 */
import { Context } from '@temporalio/activity';
import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { ChannelActivities, JourneyActivities, SendRequest, SendResult } from '../../activities';
import type { LifecycleActivities } from '../../activities/lifecycle-types';
import { decideEntry, type EntryClaim, type EntryClose, type EntryDecision, type EntryRecord } from '../../store/entries';
import type { Fact } from '../../domain/facts';
import { graphOf, journeyDefinitionSchema, type JourneyDefinitionInput, type JourneyGraph } from '../../domain/definition/schema';
import { withStepFacts } from '../../activities/step-facts';
import { channelTaskQueue } from '../../domain/naming';

export interface EntryRow {
  journeyId: string;
  userId: string;
  version: number;
  entry: number;
  runId: string;
  claimedAt: string;
  closedAt?: string;
  reason?: string;
}

/**
 * The entry record and fact store of the contract, in memory. The entry rules are the real store's
 * (`decideEntry` of store/entries.ts) over in-memory rows, and the bookkeeping around them follows
 * `createEntryStore`; test/integration/entry-rules.test.ts runs one scenario list against both:
 * - once ever unless re-entry is allowed; never two live entries; the cool-down counts from the close;
 * - a retried claim whose run id holds the user's latest entry gets that entry again; any other claim
 *   (a retried refusal too) is decided again on what is stored;
 * - closeEntry closes the named entry if that run owns it, once; a fact whose id is stored is skipped
 *   (and counted as a duplicate write).
 */
export function createLifecycleFake() {
  const entries = new Map<string, EntryRow[]>();
  const facts: Fact[] = [];
  const factIds = new Set<string>();
  const stats = { factWrites: 0, duplicateFacts: 0, claims: 0, closes: 0 };

  const asRecord = (row: EntryRow, instanceId: string): EntryRecord => ({
    journeyId: row.journeyId,
    userId: row.userId,
    entry: row.entry,
    runId: row.runId,
    version: row.version,
    instanceId,
    enteredAt: new Date(row.claimedAt),
    ...(row.closedAt !== undefined ? { exitedAt: new Date(row.closedAt) } : {}),
    ...(row.reason !== undefined ? { exitReason: row.reason } : {}),
  });

  const activities: LifecycleActivities = {
    async claimEntry(claim: EntryClaim): Promise<EntryDecision> {
      stats.claims++;
      const key = `${claim.journeyId}|${claim.userId}`;
      const rows = entries.get(key) ?? [];
      const last = rows.at(-1);
      if (last?.runId === claim.runId) return { eligible: true, entry: last.entry };
      const history = rows.map((row) => asRecord(row, claim.instanceId));
      const decision = decideEntry(history, claim.reentry, new Date(claim.at), claim.version);
      if (!decision.eligible) return { eligible: false, reason: decision.reason, detail: decision.detail };
      rows.push({
        journeyId: claim.journeyId,
        userId: claim.userId,
        version: claim.version,
        entry: decision.entry,
        runId: claim.runId,
        claimedAt: claim.at,
      });
      entries.set(key, rows);
      return { eligible: true, entry: decision.entry };
    },
    async closeEntry(close: EntryClose): Promise<void> {
      stats.closes++;
      const row = entries.get(`${close.journeyId}|${close.userId}`)?.find((candidate) => candidate.entry === close.entry);
      if (row && row.runId === close.runId && row.closedAt === undefined) {
        row.closedAt = close.at;
        row.reason = close.reason;
      }
    },
    async recordFacts(batch: Fact[]): Promise<void> {
      stats.factWrites++;
      for (const fact of batch) {
        if (factIds.has(fact.id)) {
          stats.duplicateFacts++;
          continue;
        }
        factIds.add(fact.id);
        facts.push(fact);
      }
    },
  };

  return {
    activities,
    facts,
    stats,
    entriesOf: (journeyId: string, userId: string) => entries.get(`${journeyId}|${userId}`) ?? [],
    factsOf: (userId: string, journeyId?: string) =>
      facts.filter((fact) => fact.userId === userId && (journeyId === undefined || fact.journeyId === journeyId)),
  };
}

export type LifecycleFake = ReturnType<typeof createLifecycleFake>;

export interface RecordedSend {
  request: SendRequest;
  at: number;
  /** Set when the send was cancelled while it was in progress (a blocking send). */
  cancelled?: string;
}

/** Journeys, What, profiles and channel behaviour of the fake world. */
export function createFakeWorld(now: () => Promise<number>) {
  const graphs = new Map<string, JourneyGraph>();
  const contents = new Map<string, Record<string, Record<string, unknown>>>();
  const profiles = new Map<string, Record<string, unknown>>();
  const sends: RecordedSend[] = [];
  const profileWrites: { userId: string; properties: string[] }[] = [];
  const enrolments: { journeyId: string; userId: string }[] = [];
  /** Channel outcome per `userId/channel`, else per `userId` (default `sent`). */
  const outcomes = new Map<string, SendResult>();
  /** Users whose sends block (heartbeating) until they are cancelled. */
  const blocking = new Set<string>();
  const lifecycle = createLifecycleFake();

  function define(input: JourneyDefinitionInput): JourneyGraph {
    const definition = journeyDefinitionSchema.parse(input);
    const graph = graphOf(definition);
    graphs.set(definition.id, graph);
    contents.set(definition.id, definition.content as Record<string, Record<string, unknown>>);
    return graph;
  }

  const journey = {
    async loadJourneyGraph(journeyId: string) {
      const graph = graphs.get(journeyId);
      if (!graph) throw new Error(`no journey ${journeyId}`);
      return graph;
    },
    async loadProfile(userId: string, paths?: string[]) {
      const profile = profiles.get(userId) ?? {};
      if (!paths || paths.length === 0 || paths.includes('')) return { ...profile };
      return Object.fromEntries(paths.filter((path) => path in profile).map((path) => [path, profile[path]]));
    },
    async updateProfile(userId: string, operations: { property: string }[]) {
      profileWrites.push({ userId, properties: operations.map((operation) => operation.property) });
    },
    async experimentWeights(journeyId: string, _version: number, nodeId: string) {
      const weights = contents.get(journeyId)?.[nodeId]?.weights as Record<string, number> | undefined;
      if (weights) return { weights };
      const node = graphs.get(journeyId)?.nodes[nodeId];
      const paths = node?.type === 'experiment' ? Object.keys(node.paths) : [];
      return { weights: Object.fromEntries(paths.map((path) => [path, 1])) };
    },
    async enterJourney(journeyId: string, userId: string) {
      enrolments.push({ journeyId, userId });
      return 'started' as const;
    },
  } as unknown as JourneyActivities;

  const channel: ChannelActivities = {
    async sendMessage(request) {
      const send: RecordedSend = { request, at: await now() };
      sends.push(send);
      if (blocking.has(request.userId)) {
        const context = Context.current();
        try {
          for (;;) {
            context.heartbeat();
            await context.sleep(50);
          }
        } catch (error) {
          const details = context.cancellationDetails;
          send.cancelled = details?.cancelRequested ? 'cancel_requested' : details?.notFound ? 'workflow_closed' : 'other';
          throw error;
        }
      }
      return (
        outcomes.get(`${request.userId}/${request.channel}`) ??
        outcomes.get(request.userId) ?? { outcome: 'sent', messageId: `m-${sends.length}` }
      );
    },
  };

  return {
    define,
    graphs,
    contents,
    profiles,
    sends,
    profileWrites,
    enrolments,
    outcomes,
    blocking,
    lifecycle,
    journey,
    channel,
    sendsOf: (userId: string) => sends.filter((send) => send.request.userId === userId),
  };
}

export type FakeWorld = ReturnType<typeof createFakeWorld>;

export const CHANNELS = ['email', 'push', 'sms', 'webhook', 'sink'] as const;

/**
 * The journey worker (workflows, journey and lifecycle activities) and one worker per channel queue, as
 * worker/workers.ts creates them, over the fake world. Heartbeats are not throttled, so a cancelled send
 * learns it at once.
 */
export async function createFakeWorkers(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  world: FakeWorld;
  workflowBundle: WorkflowBundleOption;
}): Promise<Worker[]> {
  const { connection, taskQueue, world } = opts;
  const namespace = opts.namespace ?? 'default';
  const journeyWorker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: opts.workflowBundle,
    activities: { ...world.journey, ...world.lifecycle.activities },
  });
  const channelWorkers = await Promise.all(
    CHANNELS.map((channel) =>
      Worker.create({
        connection,
        namespace,
        taskQueue: channelTaskQueue(taskQueue, channel),
        activities: withStepFacts(world.channel, world.lifecycle.activities.recordFacts),
        defaultHeartbeatThrottleInterval: '20ms',
        maxHeartbeatThrottleInterval: '20ms',
      }),
    ),
  );
  return [journeyWorker, ...channelWorkers];
}
