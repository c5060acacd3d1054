import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createJourneyActivities, type ChannelActivities, type SendResult } from '../../activities';
import { createLifecycleActivities } from '../../activities/lifecycle';
import { NotFoundError } from '../../domain/errors';
import { graphOf, journeyDefinitionSchema, type JourneyDefinition } from '../../domain/definition/schema';
import { connectorsOf } from '../../domain/definition/node-types';
import { instanceWorkflowId } from '../../domain/ids';
import { seededRandom } from '../../domain/experiments/reweight';
import { buildReport } from '../../domain/reports/report';
import { createEntryStore } from '../../store/entries';
import { createFactStore } from '../../store/facts';
import { createReportCounters } from '../../store/report-counters';
import { createWorkers } from '../../worker/workers';
import { eventSignal, type JourneyResult, type JourneyWorkflow } from '../../workflows/contract';
import { createDevServerEnv, openTestDatabase, uniqueTaskQueue, workflowBundle } from '../helpers/servers';

/**
 * Spec 6's invariant over a randomised run: 1,000 users through a journey with a split, an experiment,
 * messages with random outcomes, a wait that some users answer, a delay, goals and a control group, on the
 * real Temporal dev server with the facts in the real FerretDB journal. The report built from the counters
 * must agree with itself (moved forward from a node = entered into its successors) and with each instance's
 * own result (its path and exit).
 */
const USERS = 1_000;
const JOURNEY = 'invariant';

const definition: JourneyDefinition = journeyDefinitionSchema.parse({
  id: JOURNEY,
  name: 'Invariant',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'order', event: 'order_completed' }], controlGroup: 10, conversionWindow: 'PT1S' },
  nodes: {
    tier: { type: 'split', paths: [{ name: 'high', when: { 'profile.score': { gt: 50 } }, next: 'offer' }], others: 'mail-1' },
    offer: { type: 'experiment', mode: 'manual', paths: { a: 'mail-2', b: 'wait-click', c: 'pause' } },
    'mail-1': { type: 'message', channel: 'email', next: { sent: 'wait-click', failed: 'bye', unreachable: 'pause' } },
    'mail-2': { type: 'message', channel: 'push', next: { sent: 'pause', unreachable: 'bye' } },
    'wait-click': { type: 'waitForEvent', event: 'clicked', within: 'PT2S', next: { yes: 'bye', timeout: 'pause' } },
    pause: { type: 'delay', duration: 'PT1S' },
    bye: { type: 'exit' },
  },
  content: { offer: { weights: { a: 40, b: 35, c: 25 } } },
});

describe('report invariant over 1,000 randomised users (dev server, FerretDB journal)', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let workers: Worker[];
  let running: Promise<unknown>;
  let taskQueue: string;
  const draw = seededRandom('report-invariant-2026-11-28');
  const scores = new Map<string, number>();
  const outcomes = new Map<string, SendResult>();

  beforeAll(async () => {
    env = await createDevServerEnv();
    db = await openTestDatabase();
    taskQueue = uniqueTaskQueue('invariant');
    const graph = graphOf(definition);
    // The real bookkeeping: entries (claim / close) and facts on FerretDB, as worker/main.ts builds them.
    const lifecycle = createLifecycleActivities({ entries: createEntryStore(db.models), facts: createFactStore(db.models) });
    const journey = createJourneyActivities({
      journeys: {
        loadGraph: async () => graph,
        contentFor: async (_journey, _version, nodeId) => definition.content[nodeId],
        journeyForEntry: async () => {
          throw new NotFoundError('not used');
        },
      },
      profiles: { view: async (userId) => ({ score: scores.get(userId) }), apply: async () => undefined },
      temporal: env.client,
    });
    const channel: ChannelActivities = {
      sendMessage: async (request) => outcomes.get(request.userId) ?? { outcome: 'sent', messageId: request.userId },
    };
    workers = await createWorkers({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: { journey, channel, lifecycle },
      channelRatePerSecond: 10_000,
      workflowBundle: await workflowBundle(),
    });
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  afterAll(async () => {
    for (const worker of workers ?? []) worker.shutdown();
    await running;
    await env?.teardown();
    await db?.close();
  });

  it('moved forward from a node = entered into its successors, and every figure matches the instances', async () => {
    const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
    for (const userId of users) {
      scores.set(userId, Math.floor(draw() * 100));
      const roll = draw();
      if (roll < 0.15) outcomes.set(userId, { outcome: 'failed', reason: 'rejected: bounced' });
      else if (roll < 0.3) outcomes.set(userId, { outcome: 'unreachable', reason: 'no_address' });
    }
    const started = Date.now();
    const start = (userId: string) =>
      env.client.workflow.start<JourneyWorkflow>('journeyWorkflow', {
        workflowId: instanceWorkflowId(JOURNEY, userId),
        taskQueue,
        args: [{ journeyId: JOURNEY, version: 1, userId }],
      });
    const handles: Awaited<ReturnType<typeof start>>[] = [];
    for (let i = 0; i < users.length; i += 50) handles.push(...(await Promise.all(users.slice(i, i + 50).map(start))));
    console.log(`started ${users.length} in ${Date.now() - started} ms`);
    // Random users click (answering the wait if they are at it) or buy (a goal, from wherever they are).
    await Promise.all(
      users.map(async (userId, i) => {
        const roll = draw();
        if (roll > 0.5) return;
        await new Promise((resolve) => setTimeout(resolve, Math.floor(draw() * 2_500)));
        const name = roll < 0.3 ? 'clicked' : 'order_completed';
        await handles[i]!.signal(eventSignal, { id: `${userId}-${name}`, name, timestamp: new Date().toISOString() }).catch(
          () => undefined,
        );
      }),
    );
    const results: JourneyResult[] = await Promise.all(handles.map((handle) => handle.result()));
    console.log(`all finished after ${Date.now() - started} ms`);

    const counters = createReportCounters(db.models, createFactStore(db.models));
    // Half folded, half read from the journal's tail: both paths must give the same figures.
    await counters.fold(200);
    const days = await counters.reader.days(JOURNEY, [1]);
    const report = buildReport({
      journeyId: JOURNEY,
      versions: [{ version: 1, state: 'running', definition }],
      days,
      range: {},
      bucket: 'day',
      weightHistory: {},
      now: new Date().toISOString(),
    });

    // The invariant, edge by edge: what entered a node came over the edges into it (or started there).
    const byId = new Map(report.nodes.map((node) => [node.nodeId, node]));
    const incoming = new Map<string, number>();
    for (const [nodeId, node] of Object.entries(definition.nodes)) {
      for (const { name, target } of connectorsOf(node)) {
        if (target) incoming.set(target, (incoming.get(target) ?? 0) + (byId.get(nodeId)!.movedForward[name] ?? 0));
      }
    }
    const targets = results.filter((result) => !result.control).length;
    for (const nodeId of Object.keys(definition.nodes)) {
      const started = nodeId === 'tier' ? targets : 0;
      expect({ nodeId, entered: byId.get(nodeId)!.entered }).toEqual({ nodeId, entered: (incoming.get(nodeId) ?? 0) + started });
      expect({ nodeId, waitingNow: byId.get(nodeId)!.waitingNow }).toEqual({ nodeId, waitingNow: 0 });
    }

    // Against each instance's own account of its path and exit.
    const count = (predicate: (result: JourneyResult) => boolean) => results.filter(predicate).length;
    expect(report.summary.qualified).toBe(USERS);
    expect(report.summary.control).toBe(count((r) => r.control === true));
    expect(report.summary.entered).toBe(targets);
    expect(report.summary.inJourneyNow).toBe(0);
    // Every target instance was admitted once by the entry store and closed its entry at its end.
    const entries = createEntryStore(db.models);
    expect(await entries.openEntries(JOURNEY, 1)).toBe(0);
    expect(await db.models.entries.countDocuments({ journeyId: JOURNEY })).toBe(USERS);
    for (const reason of new Set(results.map((r) => r.reason)))
      expect(report.summary.exits[reason]).toBe(count((r) => r.reason === reason));
    expect(report.summary.goals[0]).toMatchObject({
      goalId: 'order',
      target: count((r) => r.reason === 'goal' && !r.control),
      control: count((r) => r.reason === 'goal' && r.control === true),
    });
    for (const nodeId of Object.keys(definition.nodes)) {
      expect({ nodeId, entered: byId.get(nodeId)!.entered }).toEqual({ nodeId, entered: count((r) => r.path.includes(nodeId)) });
      const exitsHere = count((r) => r.nodeId === nodeId && !r.control);
      const counted = Object.values(byId.get(nodeId)!.exits).reduce((sum, n) => sum + n, 0);
      expect({ nodeId, exits: counted }).toEqual({ nodeId, exits: exitsHere });
    }
    // The run exercised every node and more than one exit reason.
    expect(Object.keys(definition.nodes).every((nodeId) => byId.get(nodeId)!.entered > 0)).toBe(true);
    expect(new Set(results.map((r) => r.reason)).size).toBeGreaterThanOrEqual(4);
  }, 600_000);
});
