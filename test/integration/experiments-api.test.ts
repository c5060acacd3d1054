import { createExperimentActivities } from '../../activities/experiments';
import { AUTO_WINNER } from '../../domain/experiments/auto-winner';
import { createJourneyActivities } from '../../activities/journey';
import type { DayCounters } from '../../domain/reports/counters';
import type { ReportReader } from '../../domain/reports/reader';
import type { Fact } from '../../domain/facts';
import { createExperimentStore } from '../../store/experiments';
import { createFactStore } from '../../store/facts';
import { createReportCounters } from '../../store/report-counters';
import { createJourneyStore } from '../../store/journeys';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * IntelliNODE auto mode end to end against FerretDB: the re-weighter (reading the real report counters, fed
 * with known facts through the real fact journal), the experiments API (view, history, winner) and the
 * weights the workflow's activity reads.
 */
describe('experiments: re-weighting and winners', () => {
  let stack: TestStack;
  const minutes = (n: number) => n * 60_000;
  let now = Date.now();
  /** The (journey, version) pairs the re-weighter asked the report reader for: a spy on the real reader. */
  const reads: string[] = [];
  /** Counters already written to the journal, per journey. */
  const written = new Map<string, DayCounters>();
  let batch = 0;

  /**
   * Brings a journey's version-1 counters to `target` by recording the missing facts in the real journal
   * (one `moved` fact per `n:{node}:moved:{path}`, one `experiment_goal` per `n:{node}:conv:{path}:{goal}`),
   * then checks the real reader answers exactly `target`.
   */
  async function setCounters(journeyId: string, target: DayCounters): Promise<void> {
    const before = written.get(journeyId) ?? {};
    const instanceId = `counters:${journeyId}:${++batch}`;
    const facts: Fact[] = [];
    for (const [key, count] of Object.entries(target)) {
      const [, nodeId, kind, path, goalId] = key.split(':');
      const missing = count - (before[key] ?? 0);
      if (missing < 0) throw new Error(`counters only grow: ${key}`);
      for (let i = 0; i < missing; i++) {
        facts.push({
          id: `${instanceId}:${facts.length}`,
          journeyId,
          version: 1,
          instanceId,
          runId: instanceId,
          userId: `u-${facts.length}`,
          nodeId: nodeId!,
          at: new Date().toISOString(),
          ...(kind === 'moved'
            ? { kind: 'moved' as const, connector: path! }
            : { kind: 'experiment_goal' as const, path: path!, goalId: goalId! }),
        });
      }
    }
    await createFactStore(stack.db.models).record(facts);
    written.set(journeyId, { ...target });
    expect(await createReportCounters(stack.db.models, createFactStore(stack.db.models)).reader.allTime(journeyId, 1)).toEqual(target);
  }

  const experimentJourney = (id: string, mode: 'auto' | 'manual', extra: Record<string, unknown> = {}) => ({
    id,
    name: `Experiment ${id}`,
    entry: { type: 'api' },
    settings: { goals: [{ id: 'purchase', event: 'order_placed' }] },
    nodes: {
      pick: { type: 'experiment', mode, paths: { a: 'end-a', b: 'end-b' }, ...extra },
      'end-a': { type: 'exit' },
      'end-b': { type: 'exit' },
    },
    content: mode === 'manual' ? { pick: { weights: { a: 70, b: 30 } } } : {},
  });

  async function createJourney(definition: unknown, publish = true): Promise<void> {
    const created = await call(stack, 'POST', '/v1/journeys', definition);
    expect(created.status).toBe(201);
    if (!publish) return;
    const published = await call(stack, 'POST', `/v1/journeys/${(definition as { id: string }).id}/versions/1/publish`, {});
    expect(published.status).toBe(200);
  }

  function reweighter() {
    const reader = createReportCounters(stack.db.models, createFactStore(stack.db.models)).reader;
    const reports: ReportReader = {
      days: (journeyId, versions) => reader.days(journeyId, versions),
      async allTime(journeyId, version) {
        reads.push(`${journeyId}:${version}`);
        return reader.allTime(journeyId, version);
      },
    };
    return createExperimentActivities({
      journeys: createJourneyStore(stack.db.models),
      experiments: createExperimentStore(stack.db.models, () => new Date(now)),
      reports,
      clock: () => new Date(now),
    });
  }

  function journeyActivities() {
    return createJourneyActivities({
      journeys: createJourneyStore(stack.db.models),
      profiles: stack.profiles,
      temporal: stack.client,
      experiments: createExperimentStore(stack.db.models),
    });
  }

  beforeAll(async () => {
    stack = await startTestStack();
    await createJourney(experimentJourney('exp-auto', 'auto', { interval: 'PT2M', floor: 10 }));
    await createJourney(experimentJourney('exp-race', 'auto'));
    await createJourney(experimentJourney('exp-manual', 'manual'));
    await createJourney(experimentJourney('exp-draft', 'auto'), false);
    await createJourney({
      id: 'exp-none',
      name: 'Not an experiment',
      entry: { type: 'api' },
      nodes: { greet: { type: 'message', channel: 'sink', next: { sent: 'bye' } }, bye: { type: 'exit' } },
      content: { greet: { subject: 'Hi', body: 'Hello' } },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('shows an auto experiment with equal weights and no history before its first re-weighting', async () => {
    const view = await call(stack, 'GET', '/v1/journeys/exp-auto/versions/1/experiments/pick');
    expect(view).toMatchObject({
      status: 200,
      body: {
        nodeId: 'pick',
        mode: 'auto',
        paths: ['a', 'b'],
        weights: { a: 50, b: 50 },
        history: [],
        floor: 10,
        interval: 'PT2M',
        goals: [{ id: 'purchase' }],
      },
    });
    expect(view.body).not.toHaveProperty('winner');
    expect(await journeyActivities().experimentWeights('exp-auto', 1, 'pick')).toEqual({ weights: { a: 50, b: 50 } });
  });

  it('re-weights towards the better path once the interval has passed, and logs the figures', async () => {
    await setCounters('exp-auto', {
      'n:pick:moved:a': 1000,
      'n:pick:moved:b': 1000,
      'n:pick:conv:a:purchase': 20,
      'n:pick:conv:b:purchase': 80,
      'n:pick:conv:b:other-goal': 500,
    });
    now = Date.now();
    // Published moments ago: not due yet (PT2M).
    expect((await reweighter().reweightExperiments()).reweighted).toEqual([]);

    now = Date.now() + minutes(3);
    reads.length = 0;
    // Only exp-auto is due (exp-race keeps the default PT5M).
    const first = await reweighter().reweightExperiments();
    expect(first.reweighted).toEqual(['exp-auto:1:pick']);
    expect(reads).toEqual(['exp-auto:1']);

    const view = await call(stack, 'GET', '/v1/journeys/exp-auto/versions/1/experiments/pick');
    const { weights, history } = view.body as { weights: Record<string, number>; history: Array<Record<string, any>> };
    expect(weights.b).toBeGreaterThan(weights.a!);
    expect(weights.a).toBeCloseTo(10, 1); // the loser keeps its floor
    // The probabilities to be best that the weights come from: b is all but certainly better.
    expect(view.body.probabilities.b).toBeGreaterThan(99);
    expect(view.body.probabilities.a + view.body.probabilities.b).toBeCloseTo(100, 1);
    expect(Math.round(weights.a! * 100) + Math.round(weights.b! * 100)).toBe(10_000);
    expect(history).toEqual([
      expect.objectContaining({
        seq: 1,
        reason: 'reweighted',
        actor: 'system:reweighter',
        weights,
        detail: {
          goalId: 'purchase',
          floor: 10,
          stats: { a: { assigned: 1000, converted: 20 }, b: { assigned: 1000, converted: 80 } },
          probabilities: view.body.probabilities,
        },
      }),
    ]);
    // The workflow's activity draws with the recorded weights.
    expect(await journeyActivities().experimentWeights('exp-auto', 1, 'pick')).toEqual({ weights });

    // Not due again until another interval has passed since that change.
    now += minutes(1);
    expect((await reweighter().reweightExperiments()).reweighted).toEqual([]);
    now += minutes(2);
    await setCounters('exp-auto', {
      ...written.get('exp-auto'),
      'n:pick:moved:a': 1100,
      'n:pick:moved:b': 1900,
      'n:pick:conv:b:purchase': 150,
    });
    expect((await reweighter().reweightExperiments()).reweighted).toEqual(['exp-auto:1:pick']);
    const again = await call(stack, 'GET', '/v1/journeys/exp-auto/versions/1/experiments/pick');
    expect(again.body.history.map((change: { seq: number }) => change.seq)).toEqual([1, 2]);
    expect(again.body.history[1].detail.stats.b).toEqual({ assigned: 1900, converted: 150 });
  });

  it('refuses an unknown path (422 naming body.path), a manual experiment (409) and a draft (409)', async () => {
    const unknown = await call(stack, 'POST', '/v1/journeys/exp-auto/versions/1/experiments/pick/winner', { path: 'c' });
    expect(unknown).toMatchObject({ status: 422, body: { code: 'unknown_path', problems: [{ path: 'body.path' }] } });
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const manual = await call(stack, 'POST', '/v1/journeys/exp-manual/versions/1/experiments/pick/winner', { path: 'a' });
    expect(manual).toMatchObject({ status: 409, body: { code: 'manual_experiment', nodeId: 'pick' } });

    const draft = await call(stack, 'POST', '/v1/journeys/exp-draft/versions/1/experiments/pick/winner', { path: 'a' });
    expect(draft).toMatchObject({ status: 409, body: { code: 'version_not_live', state: 'draft' } });

    const noNode = await call(stack, 'GET', '/v1/journeys/exp-auto/versions/1/experiments/nope');
    expect(noNode).toMatchObject({ status: 404, body: { code: 'not_found', nodeId: 'nope' } });
    expect(noNode.body.detail).toContain('nope');
    const notExperiment = await call(stack, 'POST', '/v1/journeys/exp-none/versions/1/experiments/greet/winner', { path: 'a' });
    expect(notExperiment).toMatchObject({ status: 422, body: { code: 'not_an_experiment', nodeId: 'greet' } });
    expect((await call(stack, 'POST', '/v1/journeys/exp-auto/versions/1/experiments/pick/winner', {})).status).toBe(400);
  });

  it('shows a manual experiment with its What weights and their revisions', async () => {
    const view = await call(stack, 'GET', '/v1/journeys/exp-manual/versions/1/experiments/pick');
    expect(view).toMatchObject({
      status: 200,
      body: { mode: 'manual', weights: { a: 70, b: 30 }, history: [{ seq: 0, reason: 'published', weights: { a: 70, b: 30 } }] },
    });
    expect(await journeyActivities().experimentWeights('exp-manual', 1, 'pick')).toEqual({ weights: { a: 70, b: 30 } });
  });

  it('declares a winner once (200 then 409 naming it); the winner takes every new user and stops re-weighting', async () => {
    const declared = await call(stack, 'POST', '/v1/journeys/exp-auto/versions/1/experiments/pick/winner', { path: 'b' });
    expect(declared).toMatchObject({ status: 200, body: { winner: 'b', winnerBy: 'bootstrap', weights: { a: 0, b: 100 } } });
    expect(declared.body.history.map((change: { seq: number; reason: string }) => [change.seq, change.reason])).toEqual([
      [1, 'reweighted'],
      [2, 'reweighted'],
      [3, 'winner'],
    ]);

    const second = await call(stack, 'POST', '/v1/journeys/exp-auto/versions/1/experiments/pick/winner', { path: 'a' });
    expect(second).toMatchObject({ status: 409, body: { code: 'winner_declared', winner: 'b' } });
    expect(second.body.detail).toContain('path b');

    expect(await journeyActivities().experimentWeights('exp-auto', 1, 'pick')).toMatchObject({ winner: 'b' });

    now += minutes(60);
    reads.length = 0;
    const after = await reweighter().reweightExperiments();
    expect(after.reweighted).not.toContain('exp-auto:1:pick');
    expect(reads).not.toContain('exp-auto:1');
    const view = await call(stack, 'GET', '/v1/journeys/exp-auto/versions/1/experiments/pick');
    expect(view.body.history).toHaveLength(3);
  });

  it('picks exactly one of two concurrent declarations', async () => {
    const answers = await Promise.all(
      ['a', 'b'].map((path) => call(stack, 'POST', '/v1/journeys/exp-race/versions/1/experiments/pick/winner', { path })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const winner = answers.find((answer) => answer.status === 200)!.body.winner as string;
    expect(answers.find((answer) => answer.status === 409)!.body.winner).toBe(winner);
    const view = await call(stack, 'GET', '/v1/journeys/exp-race/versions/1/experiments/pick');
    expect(view.body.history).toEqual([expect.objectContaining({ seq: 1, reason: 'winner', weights: { a: 0, b: 0, [winner]: 100 } })]);
  });

  it('lets an admin override an automatic winner once: of concurrent overrides exactly one counts', async () => {
    await createJourney(experimentJourney('exp-override', 'auto'));
    const store = createExperimentStore(stack.db.models);
    await store.declareWinner('exp-override', 1, 'pick', 'a', AUTO_WINNER, ['a', 'b'], { trigger: 'window' });
    // The re-weighter never overrides a winner, not even its own.
    await expect(store.declareWinner('exp-override', 1, 'pick', 'b', AUTO_WINNER, ['a', 'b'])).rejects.toMatchObject({
      code: 'winner_declared',
    });
    expect(await journeyActivities().experimentWeights('exp-override', 1, 'pick')).toMatchObject({ winner: 'a' });

    const answers = await Promise.all(
      ['a', 'b'].map((path) => call(stack, 'POST', '/v1/journeys/exp-override/versions/1/experiments/pick/winner', { path })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const winner = answers.find((answer) => answer.status === 200)!.body.winner as string;
    expect(answers.find((answer) => answer.status === 409)!.body).toMatchObject({
      code: 'winner_declared',
      winner,
      declaredBy: 'bootstrap',
    });
    const view = await call(stack, 'GET', '/v1/journeys/exp-override/versions/1/experiments/pick');
    expect(view.body).toMatchObject({ winner, winnerBy: 'bootstrap', overridden: { path: 'a', by: AUTO_WINNER } });
    expect(view.body.history).toEqual([
      expect.objectContaining({ seq: 1, reason: 'winner', actor: AUTO_WINNER, weights: { a: 100, b: 0 }, detail: { trigger: 'window' } }),
      expect.objectContaining({
        seq: 2,
        reason: 'winner',
        actor: 'bootstrap',
        detail: expect.objectContaining({ overrides: expect.objectContaining({ path: 'a' }) }),
      }),
    ]);
    expect(await journeyActivities().experimentWeights('exp-override', 1, 'pick')).toMatchObject({ winner });
  });

  it('refuses a winner on a stopped version', async () => {
    await createJourney(experimentJourney('exp-stopped', 'auto'));
    expect((await call(stack, 'POST', '/v1/journeys/exp-stopped/versions/1/stop', { mode: 'exit' })).status).toBe(200);
    const stopped = await call(stack, 'POST', '/v1/journeys/exp-stopped/versions/1/experiments/pick/winner', { path: 'a' });
    expect(stopped).toMatchObject({ status: 409, body: { code: 'version_not_live', state: 'stopped' } });
  });
});
