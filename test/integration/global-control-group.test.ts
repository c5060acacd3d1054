import { isGlobalControlUser } from '../../domain/control-group';
import type { JourneyReport } from '../../domain/reports/report';
import type { JourneyResult } from '../../workflows/contract';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * The account's global control group on the real stack (dev server, workers, FerretDB, the reports service):
 * the settings API, members held out of a journey that takes part and reported as `globalControl`, the same
 * users messaged by a journey that opts out, and a new salt that draws a new group for new entries.
 */
const SALT = 'it-2026-q4';
const candidates = Array.from({ length: 200 }, (_, i) => `gcg-${i}`);
const members = candidates.filter((userId) => isGlobalControlUser(userId, 20, SALT)).slice(0, 2);
const others = candidates.filter((userId) => !isGlobalControlUser(userId, 20, SALT)).slice(0, 2);
/** Converts: one member and both other users (target 100 %, global control 50 %: a global boost of 100 %). */
const converters = [members[0]!, ...others];

const journey = (id: string, settings: Record<string, unknown> = {}) => ({
  id,
  name: id,
  entry: { type: 'api' },
  settings: { goals: [{ id: 'order', event: 'order_completed' }], conversionWindow: 'PT3S', ...settings },
  nodes: { offer: { type: 'message', channel: 'sink' } },
  content: { offer: { body: 'Hello' } },
});

describe('global control group through the API', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ reports: { idleMs: 300, experimentCheckMs: 60_000 } });
    for (const definition of [journey('gcg-promo'), journey('gcg-opt-out', { globalControlGroup: false }), journey('gcg-later')]) {
      expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
      expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** What the enrolment answered as `control`, per journey and user. */
  const answered = new Map<string, boolean>();

  /** Enrols each user, sends `order_completed` for the converters, and answers each instance's result. */
  async function run(journeyId: string, userIds: string[]): Promise<Map<string, JourneyResult>> {
    const handles = new Map<string, string>();
    for (const userId of userIds) {
      const response = await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId });
      expect(response.status).toBe(202);
      handles.set(userId, response.body.instanceId as string);
      answered.set(`${journeyId}/${userId}`, response.body.control as boolean);
      if (converters.includes(userId))
        expect((await call(stack, 'POST', '/v1/events', { userId, name: 'order_completed' })).status).toBe(202);
    }
    return new Map(
      await Promise.all(
        userIds.map(
          async (userId) => [userId, (await stack.client.workflow.getHandle(handles.get(userId)!).result()) as JourneyResult] as const,
        ),
      ),
    );
  }

  const report = async (journeyId: string) => {
    const response = await call(stack, 'GET', `/v1/journeys/${journeyId}/report`);
    expect(response.status).toBe(200);
    return response.body as JourneyReport;
  };

  it('starts with nobody held out and refuses bad settings naming the field', async () => {
    expect((await call(stack, 'GET', '/v1/settings/control-group')).body).toEqual({ percent: 0, salt: 'initial', revision: 0 });
    for (const [body, field] of [
      [{ percent: 25 }, 'body.percent'],
      [{ percent: -1 }, 'body.percent'],
      [{ percent: 'five' }, 'body.percent'],
      [{ percent: 5, salt: '' }, 'body.salt'],
      [{ percent: 5, salt: 'a\u0000b' }, 'body.salt'],
      [{ percent: 5, share: 5 }, 'body'],
    ] as const) {
      const response = await call(stack, 'PUT', '/v1/settings/control-group', body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(response.body)).toContain(field);
    }
    const reader = await call(stack, 'POST', '/v1/api-keys', { name: 'gcg-reader', scopes: ['read'] });
    const authorization = `Bearer ${reader.body.key as string}`;
    expect((await call(stack, 'GET', '/v1/settings/control-group', undefined, { authorization })).status).toBe(200);
    expect((await call(stack, 'PUT', '/v1/settings/control-group', { percent: 5 }, { authorization })).status).toBe(403);
  });

  it('holds members out of a journey and reports them as globalControl, apart from the target', async () => {
    const put = await call(stack, 'PUT', '/v1/settings/control-group', { percent: 20, salt: SALT });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ percent: 20, salt: SALT, revision: 1 });
    expect((await call(stack, 'GET', '/v1/settings/control-group')).body).toEqual({ percent: 20, salt: SALT, revision: 1 });

    const results = await run('gcg-promo', [...members, ...others]);
    expect(results.get(members[0]!)).toEqual({ reason: 'goal', path: [], goalId: 'order', control: true, globalControl: true });
    expect(results.get(members[1]!)).toEqual({ reason: 'control', path: [], control: true, globalControl: true });
    for (const userId of others) expect(results.get(userId)).toMatchObject({ reason: 'goal', path: ['offer'], goalId: 'order' });
    // The enrolment's answer predicts it.
    expect([...members, ...others].map((userId) => answered.get(`gcg-promo/${userId}`))).toEqual([true, true, false, false]);

    await eventually(async () => {
      const r = await report('gcg-promo');
      expect(r.summary).toMatchObject({
        qualified: 4,
        entered: 2,
        control: 0,
        globalControl: 2,
        inJourneyNow: 0,
        goals: [{ goalId: 'order', event: 'order_completed', target: 2, control: 0, globalControl: 1 }],
        exits: { goal: 3, control: 1 },
      });
      expect(r.summary.conversion).toMatchObject({
        target: { converted: 2, rate: 100 },
        control: { converted: 0, rate: null },
        boost: null,
        globalControl: { converted: 1, rate: 50 },
        globalBoost: 100,
      });
      expect(r.nodes.find((n) => n.nodeId === 'offer')).toMatchObject({ entered: 2 });
    }, 60_000);

    const csv = await fetch(`${stack.baseUrl}/v1/journeys/gcg-promo/report?format=csv`, {
      headers: { authorization: 'Bearer test-admin-key-0123456789' },
    });
    const [header, total] = (await csv.text()).split('\r\n').filter((line) => line.startsWith('bucket_start') || line.startsWith('total'));
    const columns = header!.split(',');
    const cell = (name: string) => total!.split(',')[columns.indexOf(name)];
    expect([
      cell('global_control'),
      cell('converted_global_control'),
      cell('conversion_global_control_pct'),
      cell('global_boost_pct'),
    ]).toEqual(['2', '1', '50', '100']);
  }, 180_000);

  it('messages the same members in a journey that opts out', async () => {
    const results = await run('gcg-opt-out', members);
    expect(results.get(members[0]!)).toMatchObject({ reason: 'goal', path: ['offer'] });
    expect(results.get(members[1]!)).toMatchObject({ reason: 'completed', path: ['offer'] });
    for (const result of results.values()) expect(result.control).toBeUndefined();
    expect(members.map((userId) => answered.get(`gcg-opt-out/${userId}`))).toEqual([false, false]);
    await eventually(
      async () => expect((await report('gcg-opt-out')).summary).toMatchObject({ entered: 2, control: 0, globalControl: 0 }),
      60_000,
    );
  }, 120_000);

  it('a new salt draws a new group for the entries after it', async () => {
    const rotated = 'it-2027-q1';
    // Held out under the old salt and not under the new one, and the other way round.
    const left = candidates.find((userId) => isGlobalControlUser(userId, 20, SALT) && !isGlobalControlUser(userId, 20, rotated))!;
    const joined = candidates.find((userId) => !isGlobalControlUser(userId, 20, SALT) && isGlobalControlUser(userId, 20, rotated))!;
    expect((await call(stack, 'PUT', '/v1/settings/control-group', { percent: 20, salt: rotated })).body).toMatchObject({ revision: 2 });
    const results = await run('gcg-later', [left, joined]);
    expect(results.get(left)?.globalControl).toBeUndefined();
    expect(results.get(joined)).toMatchObject({ control: true, globalControl: true });
  }, 120_000);
});
