import type { Fact } from '../../domain/facts';
import type { JourneyReport } from '../../domain/reports/report';
import { createFactStore } from '../../store/facts';
import { experimentDraw } from '../../workflows/nodes/experiment';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The automatic winner on the real stack (dev server, workers, FerretDB): the reports service folds known facts
 * into the counters and its re-weighting pass declares the winner by itself, at the threshold once every path
 * has its minimum of users, or at the end of the window (the best so far). New instances take the winner; an
 * admin overrides it once.
 */
describe('automatic winner of an auto experiment', () => {
  let stack: TestStack;
  let batch = 0;

  /** Records facts in the real journal: `moved` per user assigned to a path, `experiment_goal` per conversion. */
  async function record(journeyId: string, figures: Record<string, { assigned: number; converted: number }>): Promise<void> {
    const instanceId = `facts:${journeyId}:${++batch}`;
    const facts: Fact[] = [];
    const base = () => ({
      id: `${instanceId}:${facts.length}`,
      journeyId,
      version: 1,
      instanceId,
      runId: instanceId,
      userId: `u-${facts.length}`,
      nodeId: 'pick',
      at: new Date().toISOString(),
    });
    for (const [path, { assigned, converted }] of Object.entries(figures)) {
      for (let i = 0; i < assigned; i++) facts.push({ ...base(), kind: 'moved', connector: path });
      for (let i = 0; i < converted; i++) facts.push({ ...base(), kind: 'experiment_goal', path, goalId: 'purchase' });
    }
    await createFactStore(stack.db.models).record(facts);
  }

  const journey = (id: string, autoWinner: Record<string, unknown>) => ({
    id,
    name: `Auto winner ${id}`,
    entry: { type: 'api' },
    settings: { goals: [{ id: 'purchase', event: 'order_placed' }] },
    nodes: {
      pick: { type: 'experiment', mode: 'auto', interval: 'PT1S', floor: 10, autoWinner, paths: { a: 'end-a', b: 'end-b' } },
      'end-a': { type: 'exit' },
      'end-b': { type: 'exit' },
    },
  });

  async function publish(definition: { id: string }): Promise<void> {
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
  }

  const view = async (journeyId: string) => {
    const answer = await call(stack, 'GET', `/v1/journeys/${journeyId}/versions/1/experiments/pick`);
    expect(answer.status).toBe(200);
    return answer.body as Record<string, any>;
  };

  /** Enrols users and answers the exit node of each instance (end-a or end-b: the path it took). */
  async function exitsOf(journeyId: string, userIds: string[]): Promise<string[]> {
    const exits: string[] = [];
    for (const userId of userIds) {
      await stack.profiles.put({ userId, attributes: {} });
      const enrolled = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
      expect(enrolled.status).toBe(202);
      const result = (await stack.client.workflow.getHandle(enrolled.body.instanceId as string).result()) as JourneyResult;
      exits.push(result.nodeId!);
    }
    return exits;
  }

  /** Users whose sticky draw is below 0.1: without a winner they take path a (its weight never drops below the 10 % floor). */
  const drawnToA = (journeyId: string, prefix: string) =>
    Array.from({ length: 400 }, (_, i) => `${prefix}-${i}`)
      .filter((userId) => experimentDraw(journeyId, 'pick', userId) < 0.1)
      .slice(0, 3);

  beforeAll(async () => {
    stack = await startTestStack({ reports: { idleMs: 300, experimentCheckMs: 500 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('waits for the minimum of users, declares the path past the threshold, and new instances take it', async () => {
    const id = 'auto-threshold';
    await publish(journey(id, { threshold: 95, minUsersPerPath: 100 }));
    const users = drawnToA(id, 'early');
    expect(users).toHaveLength(3);

    // b converts far better, but a has not had its 100 users yet: re-weighted, probabilities shown, no winner.
    await record(id, { a: { assigned: 60, converted: 1 }, b: { assigned: 150, converted: 40 } });
    await eventually(async () => {
      const current = await view(id);
      expect(current.history.at(-1)?.detail?.stats).toEqual({ a: { assigned: 60, converted: 1 }, b: { assigned: 150, converted: 40 } });
    }, 60_000);
    const before = await view(id);
    expect(before.probabilities.b).toBeGreaterThanOrEqual(95);
    expect(before.autoWinner).toEqual({ threshold: 95, minUsersPerPath: 100 });
    expect(before).not.toHaveProperty('winner');
    expect(before.history.map((change: { reason: string }) => change.reason)).not.toContain('winner');
    // Before the winner, these users draw path a.
    expect(await exitsOf(id, users.slice(0, 1))).toEqual(['end-a']);

    // a reaches 100 users (60, the user above, 39 more; still converting worse): the next pass declares b.
    await record(id, { a: { assigned: 39, converted: 2 } });
    const declared = await eventually(async () => {
      const current = await view(id);
      expect(current).toMatchObject({ winner: 'b', winnerBy: 'system:auto-winner', weights: { a: 0, b: 100 } });
      // The winner is committed first, then logged.
      expect(current.history.at(-1)?.reason).toBe('winner');
      return current;
    }, 60_000);
    const entry = declared.history.at(-1);
    expect(entry).toMatchObject({
      reason: 'winner',
      actor: 'system:auto-winner',
      weights: { a: 0, b: 100 },
      detail: {
        trigger: 'threshold',
        threshold: 95,
        minUsersPerPath: 100,
        goalId: 'purchase',
        stats: { a: { assigned: 100, converted: 3 }, b: { assigned: 150, converted: 40 } },
      },
    });
    expect(entry.detail.probabilities.b).toBeGreaterThanOrEqual(95);
    expect(entry.detail.probabilities).toEqual(declared.probabilities);
    // Every new instance takes the winner, even users whose draw would send them to a.
    expect(await exitsOf(id, users.slice(1))).toEqual(['end-b', 'end-b']);

    // The report shows each path's probability and the winner in the weight history.
    const report = await call(stack, 'GET', `/v1/journeys/${id}/versions/1/report`);
    expect(report.status).toBe(200);
    const node = (report.body as JourneyReport).nodes.find((n) => n.nodeId === 'pick') as Record<string, any>;
    expect(node.paths.map((p: { path: string; probability: number }) => [p.path, p.probability])).toEqual([
      ['a', declared.probabilities.a],
      ['b', declared.probabilities.b],
    ]);
    expect(node.weights.at(-1)).toMatchObject({ reason: 'winner', winner: 'b', by: 'system:auto-winner', version: 1 });

    // An admin overrides the automatic winner: recorded with what it overrode, and new instances follow it.
    const override = await call(stack, 'POST', `/v1/journeys/${id}/versions/1/experiments/pick/winner`, { path: 'a' });
    expect(override).toMatchObject({
      status: 200,
      body: { winner: 'a', winnerBy: 'bootstrap', weights: { a: 100, b: 0 }, overridden: { path: 'b', by: 'system:auto-winner' } },
    });
    expect(override.body.history.at(-1)).toMatchObject({
      reason: 'winner',
      actor: 'bootstrap',
      weights: { a: 100, b: 0 },
      detail: { overrides: { path: 'b', by: 'system:auto-winner' } },
    });
    expect(await exitsOf(id, ['after-override-1', 'after-override-2'])).toEqual(['end-a', 'end-a']);

    // An admin's winner is final.
    const again = await call(stack, 'POST', `/v1/journeys/${id}/versions/1/experiments/pick/winner`, { path: 'b' });
    expect(again).toMatchObject({ status: 409, body: { code: 'winner_declared', winner: 'a', declaredBy: 'bootstrap' } });
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await view(id)).winner).toBe('a');
  }, 180_000);

  it('declares the best path so far when the window has passed, short of the threshold and the minimum', async () => {
    const id = 'auto-window';
    await publish(journey(id, { threshold: 99.9, minUsersPerPath: 1000, window: 'PT3S' }));
    await record(id, { a: { assigned: 30, converted: 3 }, b: { assigned: 30, converted: 6 } });
    const declared = await eventually(async () => {
      const current = await view(id);
      expect(current).toMatchObject({ winner: 'b', winnerBy: 'system:auto-winner' });
      expect(current.history.at(-1)?.reason).toBe('winner');
      return current;
    }, 60_000);
    const entry = declared.history.at(-1);
    expect(entry).toMatchObject({
      reason: 'winner',
      actor: 'system:auto-winner',
      detail: { trigger: 'window', window: 'PT3S', stats: { a: { assigned: 30, converted: 3 }, b: { assigned: 30, converted: 6 } } },
    });
    // The best so far, though short of the threshold.
    expect(entry.detail.probabilities.b).toBeGreaterThan(entry.detail.probabilities.a);
    expect(entry.detail.probabilities.b).toBeLessThan(99.9);
  }, 120_000);
});
