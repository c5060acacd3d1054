import { isControlUser } from '../../domain/control-group';
import type { JourneyReport } from '../../domain/reports/report';
import { experimentDraw, pickWeightedPath } from '../../workflows/nodes/experiment';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Reports through the API on the real stack (dev server, workers, FerretDB, the reports service folding
 * meanwhile): a journey whose every path is known in advance, each figure checked exactly; and an auto
 * experiment that the reports service re-weights towards the path that converts.
 */
const KNOWN = 'report-known';
const users = Array.from({ length: 14 }, (_, i) => `k-${i}`);
const vips = new Set(['k-0', 'k-1']);
const control = users.filter((userId) => isControlUser(KNOWN, userId, 30));
const targets = users.filter((userId) => !control.includes(userId));
const pathOf = (userId: string) => pickWeightedPath(['a', 'b'], { a: 50, b: 50 }, experimentDraw(KNOWN, 'test', userId));
const tested = targets.filter((userId) => !vips.has(userId));
// What each target user does while held at `hold`: buy (purchase, which `wait` counts once the test releases them:
// exit node), convert (order_completed: goal at `hold`), or nothing (released, `wait` times out: completed).
const buyers = targets.filter((_, i) => i % 3 === 0);
const converters = targets.filter((_, i) => i % 3 === 1);
const clickers = tested.filter((_, i) => i % 2 === 0);
const controlConverters = control.slice(0, 1);

const known = {
  id: KNOWN,
  name: 'Known paths',
  entry: { type: 'api' },
  settings: { goals: [{ id: 'order', event: 'order_completed' }], controlGroup: 30, conversionWindow: 'PT5S' },
  nodes: {
    route: { type: 'split', paths: [{ name: 'vip', when: { 'profile.vip': { eq: true } }, next: 'vip-mail' }], others: 'test' },
    test: { type: 'experiment', mode: 'manual', goals: [{ event: 'clicked' }], paths: { a: 'mail-a', b: 'mail-b' } },
    'vip-mail': { type: 'message', channel: 'sink', next: { sent: 'hold' } },
    'mail-a': { type: 'message', channel: 'sink', next: { sent: 'hold' } },
    'mail-b': { type: 'message', channel: 'email', next: { sent: 'hold', unreachable: 'hold' } },
    // Held until the test has sent what each user does; then `wait` decides from what arrived (includePrior).
    hold: { type: 'waitForEvent', event: 'release', within: 'P1D', next: { yes: 'wait' } },
    wait: { type: 'waitForEvent', event: 'purchase', within: 'PT6S', includePrior: true, next: { yes: 'bye' } },
    bye: { type: 'exit' },
  },
  content: {
    test: { weights: { a: 50, b: 50 } },
    'vip-mail': { body: 'Hello VIP' },
    'mail-a': { body: 'Hello A' },
    'mail-b': { subject: 'Hello B', body: 'No address: unreachable' },
  },
};

describe('reports API', () => {
  let stack: TestStack;
  let results: Map<string, JourneyResult>;

  beforeAll(async () => {
    stack = await startTestStack({ reports: { idleMs: 300, experimentCheckMs: 500 } });
    for (const userId of users) await stack.profiles.put({ userId, attributes: { vip: vips.has(userId) } });
    expect((await call(stack, 'POST', '/v1/journeys', known)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${KNOWN}/versions/1/publish`, {})).status).toBe(200);

    const send = async (userId: string, name: string) => {
      const answer = await call(stack, 'POST', '/v1/events', { userId, name });
      expect({ userId, name, status: answer.status, signalled: answer.body.signalled }).toEqual({
        userId,
        name,
        status: 202,
        signalled: 1,
      });
    };
    const handles = new Map<string, string>();
    for (const userId of users) {
      const response = await call(stack, 'POST', `/v1/journeys/${KNOWN}/enrollments`, { userId });
      expect(response.status).toBe(202);
      handles.set(userId, response.body.instanceId as string);
      // Event time: the goal counts from the entry on, whether or not a worker has processed the entry yet; sent
      // right after the user's own enrolment, not after the others', while the 5 s tracking window has begun.
      if (controlConverters.includes(userId)) await send(userId, 'order_completed');
    }
    const at = async (userId: string, nodeId: string) => {
      const handle = stack.client.workflow.getHandle(handles.get(userId)!);
      await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: nodeId }), 60_000);
    };
    // Each target waits at `hold` (a day) until the test has sent its events, then is released: no window to beat.
    await Promise.all(
      targets.map(async (userId) => {
        await at(userId, 'hold');
        if (clickers.includes(userId)) await send(userId, 'clicked');
        if (buyers.includes(userId)) await send(userId, 'purchase');
        if (converters.includes(userId)) await send(userId, 'order_completed');
        else await send(userId, 'release');
      }),
    );
    results = new Map(
      await Promise.all(
        users.map(
          async (userId) => [userId, (await stack.client.workflow.getHandle(handles.get(userId)!).result()) as JourneyResult] as const,
        ),
      ),
    );
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
  });

  const report = async (query = '') => {
    const response = await call(stack, 'GET', `/v1/journeys/${KNOWN}/versions/1/report${query}`);
    expect(response.status).toBe(200);
    return response.body as JourneyReport;
  };
  const node = (r: JourneyReport, nodeId: string) =>
    r.nodes.find((n) => n.nodeId === nodeId)! as JourneyReport['nodes'][number] & Record<string, any>;
  const count = (list: string[], predicate: (userId: string) => boolean = () => true) => list.filter(predicate).length;

  it('ran the paths the test planned', () => {
    expect(control.length).toBeGreaterThan(0);
    expect(new Set(tested.map(pathOf))).toEqual(new Set(['a', 'b']));
    for (const userId of buyers) expect(results.get(userId)).toMatchObject({ reason: 'exited', nodeId: 'bye' });
    for (const userId of converters) expect(results.get(userId)).toMatchObject({ reason: 'goal', nodeId: 'hold' });
    const idle = targets.filter((userId) => !buyers.includes(userId) && !converters.includes(userId));
    for (const userId of idle) expect(results.get(userId)).toMatchObject({ reason: 'completed', nodeId: 'wait' });
    for (const userId of controlConverters) expect(results.get(userId)).toMatchObject({ reason: 'goal', control: true });
  });

  it('answers every per-version figure exactly', async () => {
    const r = await report();
    const idle = targets.filter((userId) => !buyers.includes(userId) && !converters.includes(userId));
    const targetRate = Math.round((converters.length / targets.length) * 10_000) / 100;
    const controlRate = Math.round((controlConverters.length / control.length) * 10_000) / 100;
    expect(r.summary).toMatchObject({
      qualified: users.length,
      entered: targets.length,
      control: control.length,
      inJourneyNow: 0,
      notEligible: 0,
      goals: [{ goalId: 'order', event: 'order_completed', target: converters.length, control: controlConverters.length }],
      exits: {
        exited: buyers.length,
        goal: converters.length + controlConverters.length,
        completed: idle.length,
        ...(control.length > controlConverters.length ? { control: control.length - controlConverters.length } : {}),
      },
    });
    expect(r.summary.conversion.target).toEqual({ converted: converters.length, rate: targetRate });
    expect(r.summary.conversion.control).toEqual({ converted: controlConverters.length, rate: controlRate });
    const boost =
      ((converters.length / targets.length - controlConverters.length / control.length) / (controlConverters.length / control.length)) *
      100;
    expect(r.summary.conversion.boost).toBeCloseTo(boost, 1);

    const vipTargets = count(targets, (u) => vips.has(u));
    const onA = count(tested, (u) => pathOf(u) === 'a');
    const onB = count(tested, (u) => pathOf(u) === 'b');
    expect(node(r, 'route')).toMatchObject({
      entered: targets.length,
      waitingNow: 0,
      movedForward: { vip: vipTargets, others: tested.length },
      exits: {},
    });
    expect(node(r, 'route').paths).toEqual([
      { path: 'vip', count: vipTargets, share: Math.round((vipTargets / targets.length) * 10_000) / 100 },
      { path: 'others', count: tested.length, share: Math.round((tested.length / targets.length) * 10_000) / 100 },
    ]);
    expect(node(r, 'test')).toMatchObject({ entered: tested.length, movedForward: { a: onA, b: onB }, mode: 'manual' });
    const conversions = (path: string) => count(clickers, (u) => pathOf(u) === path);
    expect(node(r, 'test').paths).toEqual([
      expect.objectContaining({
        path: 'a',
        count: onA,
        conversions: { 'goal-1': { count: conversions('a'), rate: onA ? Math.round((conversions('a') / onA) * 10_000) / 100 : null } },
      }),
      expect.objectContaining({
        path: 'b',
        count: onB,
        conversions: { 'goal-1': { count: conversions('b'), rate: onB ? Math.round((conversions('b') / onB) * 10_000) / 100 : null } },
      }),
    ]);
    expect(node(r, 'vip-mail').messages).toMatchObject({ sent: vipTargets, failed: 0, unreachable: 0 });
    expect(node(r, 'mail-a').messages).toMatchObject({ sent: onA, failed: 0, unreachable: 0 });
    expect(node(r, 'mail-b').messages).toMatchObject({ sent: 0, failed: 0, unreachable: onB });
    expect(node(r, 'hold')).toMatchObject({
      entered: targets.length,
      waitingNow: 0,
      movedForward: { yes: targets.length - converters.length },
      exits: { goal: converters.length },
    });
    expect(node(r, 'wait')).toMatchObject({
      entered: targets.length - converters.length,
      waitingNow: 0,
      movedForward: { yes: buyers.length },
      exits: { completed: idle.length },
    });
    expect(node(r, 'bye')).toMatchObject({ entered: buyers.length, exits: { exited: buyers.length } });
  });

  it('is the same whatever the folder has done meanwhile, and the same across versions', async () => {
    const first = await report();
    // Wait until the reports service has folded everything, then ask again: counters now, journal tail before.
    await eventually(async () => {
      const state = await stack.db.models.reportState.findById('journal').lean();
      const folded = Object.values((state?.value ?? {}) as Record<string, number>).reduce((sum, n) => sum + n, 0);
      expect(folded).toBe(await stack.db.models.facts.countDocuments());
    }, 20_000);
    const { generatedAt: _a, ...before } = first;
    const { generatedAt: _b, ...after } = await report();
    expect(after).toEqual(before);
    const across = (await call(stack, 'GET', `/v1/journeys/${KNOWN}/report`)).body as JourneyReport;
    expect(across.versions).toEqual([1]);
    expect(across.summary).toEqual(before.summary);
  });

  it('rebuilds the counters from the facts alone', async () => {
    const { generatedAt: _a, ...before } = await report();
    // Break the counters the way a counting bug would: every figure of every document doubled.
    const docs = await stack.db.models.reportCounters.find({ journeyId: KNOWN }).lean();
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const days = doc.days as Record<string, Record<string, number>>;
      const doubled = Object.fromEntries(
        Object.entries(days).map(([day, counters]) => [day, Object.fromEntries(Object.entries(counters).map(([key, n]) => [key, n * 2]))]),
      );
      await stack.db.models.reportCounters.updateOne({ _id: doc._id }, { $set: { days: doubled } });
    }
    expect((await report()).summary.qualified).toBe(2 * users.length);

    const rebuild = await call(stack, 'POST', `/v1/journeys/${KNOWN}/report:rebuild`);
    expect(rebuild.status).toBe(202);
    await eventually(async () => {
      const { generatedAt: _b, ...after } = await report();
      expect(after).toEqual(before);
    }, 20_000);
    expect((await call(stack, 'POST', '/v1/journeys/no-such-journey/report:rebuild')).status).toBe(404);
  });

  it('filters by range and buckets by day, week and month', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await report(`?from=${tomorrow}`)).summary).toMatchObject({ qualified: 0, entered: 0, inJourneyNow: 0 });
    expect((await report(`?from=${today}&to=${tomorrow}`)).summary.qualified).toBe(users.length);
    expect((await report('?bucket=month')).trend).toEqual([
      expect.objectContaining({ start: `${today.slice(0, 8)}01`, qualified: users.length }),
    ]);
    expect((await report('?bucket=day')).trend).toEqual([
      expect.objectContaining({ start: today, qualified: users.length, entered: targets.length }),
    ]);
  });

  it('exports the summary and the nodes as CSV', async () => {
    const summary = await fetch(`${stack.baseUrl}/v1/journeys/${KNOWN}/versions/1/report?format=csv`, {
      headers: { authorization: 'Bearer test-admin-key-0123456789' },
    });
    expect(summary.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await summary.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^bucket_start,qualified,entered,control,converted_target,/);
    expect(lines.at(-1)).toMatch(new RegExp(`^total,${users.length},${targets.length},${control.length},${converters.length},`));
    const nodes = await fetch(`${stack.baseUrl}/v1/journeys/${KNOWN}/versions/1/report?format=csv&table=nodes`, {
      headers: { authorization: 'Bearer test-admin-key-0123456789' },
    });
    const rows = (await nodes.text()).trimEnd().split('\r\n');
    expect(rows.find((row) => row.startsWith('bye,exit,'))).toMatch(new RegExp(`^bye,exit,${buyers.length},0,`));
  });

  it('answers bad requests with problems', async () => {
    expect((await call(stack, 'GET', `/v1/journeys/${KNOWN}/versions/1/report?bucket=year`)).status).toBe(400);
    expect((await call(stack, 'GET', `/v1/journeys/${KNOWN}/versions/1/report?from=2026-02-30`)).status).toBe(400);
    expect((await call(stack, 'GET', `/v1/journeys/${KNOWN}/versions/1/report?from=2026-03-02&to=2026-03-01`)).status).toBe(400);
    expect((await call(stack, 'GET', `/v1/journeys/${KNOWN}/versions/9/report`)).status).toBe(404);
    expect((await call(stack, 'GET', `/v1/journeys/${KNOWN}/report?versions=1,7`)).status).toBe(400);
    expect((await call(stack, 'GET', '/v1/journeys/no-such-journey/report')).status).toBe(404);
    expect((await call(stack, 'POST', '/v1/journeys', { ...known, id: 'only-draft' })).status).toBe(201);
    const draftOnly = await call(stack, 'GET', '/v1/journeys/only-draft/report');
    expect(draftOnly.status).toBe(409);
    expect(draftOnly.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('re-weights an auto experiment towards the path that converts', async () => {
    const auto = {
      id: 'report-auto',
      name: 'Auto experiment',
      entry: { type: 'api' },
      nodes: {
        test: {
          type: 'experiment',
          mode: 'auto',
          interval: 'PT1S',
          floor: 10,
          goals: [{ event: 'clicked' }],
          paths: { good: 'hold', bad: 'hold' },
        },
        // Held until the test releases them (after the re-weighting): a click never has a window to beat.
        hold: { type: 'waitForEvent', event: 'leave', within: 'P1D' },
      },
      content: {},
    };
    expect((await call(stack, 'POST', '/v1/journeys', auto)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/report-auto/versions/1/publish', {})).status).toBe(200);
    const shoppers = Array.from({ length: 24 }, (_, i) => `auto-${i}`);
    for (const userId of shoppers) await stack.profiles.put({ userId, attributes: {} });
    await Promise.all(
      shoppers.map(async (userId) =>
        expect((await call(stack, 'POST', '/v1/journeys/report-auto/enrollments', { userId })).status).toBe(202),
      ),
    );
    // Users on `good` click while they are held; users on `bad` do not.
    await Promise.all(
      shoppers.map(async (userId) => {
        const handle = stack.client.workflow.getHandle(`journey:report-auto:user:${userId}`);
        await eventually(async () => expect(await handle.query('state')).toMatchObject({ currentNode: 'hold' }), 60_000);
        const { experiments } = (await handle.query('state')) as { experiments: Record<string, string> };
        if (experiments.test === 'good') await call(stack, 'POST', '/v1/events', { userId, name: 'clicked' });
      }),
    );
    await eventually(async () => {
      const view = (await call(stack, 'GET', '/v1/journeys/report-auto/versions/1/experiments/test')).body;
      expect(view.history.some((change: { reason: string }) => change.reason === 'reweighted')).toBe(true);
      expect(view.weights.good).toBeGreaterThanOrEqual(80);
      expect(view.weights.bad).toBeGreaterThanOrEqual(10);
    }, 30_000);
    const r = (await call(stack, 'GET', '/v1/journeys/report-auto/versions/1/report')).body as JourneyReport;
    const test = node(r, 'test');
    expect(test.weights.some((change: { reason: string }) => change.reason === 'reweighted')).toBe(true);
    expect(test.paths.find((p: { path: string }) => p.path === 'bad').conversions['goal-1'].count).toBe(0);
    // Released, every shopper completes.
    for (const userId of shoppers) expect((await call(stack, 'POST', '/v1/events', { userId, name: 'leave' })).body.signalled).toBe(1);
    for (const userId of shoppers) {
      expect(await stack.client.workflow.getHandle(`journey:report-auto:user:${userId}`).result()).toMatchObject({ reason: 'completed' });
    }
  }, 180_000);
});
