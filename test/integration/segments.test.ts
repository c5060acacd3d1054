import { segmentScheduleId, segmentScheduleSpec } from '../../temporal/segment-schedules';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Segment entry on the real servers: publishing creates the version's Temporal Schedule, each run evaluates
 * the audience (profile condition and behaviour over stored events) and enrols the selected users through a
 * throttled batch, each at most once; pausing pauses the schedule and stopping deletes it.
 */
describe('segment entry', () => {
  let stack: TestStack;
  const pro = Array.from({ length: 12 }, (_, i) => `pro-${i}`);
  const free = Array.from({ length: 8 }, (_, i) => `free-${i}`);
  // Pro users who purchased today qualify; pro users who did not, and free users who did, do not.
  const buyers = pro.slice(0, 7);
  const qualified = [...buyers].sort();

  beforeAll(async () => {
    stack = await startTestStack();
    for (const userId of pro) await stack.profiles.put({ userId, attributes: { plan: 'pro' } });
    for (const userId of free) await stack.profiles.put({ userId, attributes: { plan: 'free' } });
    for (const userId of [...buyers, ...free.slice(0, 3)]) {
      expect((await call(stack, 'POST', '/v1/events', { userId, name: 'purchased', properties: { total: 20 } })).status).toBe(202);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  const entered = async () => (await stack.db.models.entries.find({ journeyId: 'pro-buyers' }).lean()).map((entry) => entry.userId).sort();

  it('enrols exactly the audience on each run, each user once, and follows the version state', async () => {
    const journey = {
      id: 'pro-buyers',
      name: 'Pro buyers',
      entry: {
        type: 'segment',
        audience: { 'profile.plan': { eq: 'pro' } },
        behaviour: [{ event: 'purchased', within: 'P1D' }],
        schedule: { type: 'once' },
      },
      nodes: { hold: { type: 'delay', duration: 'PT1H', next: 'bye' }, bye: { type: 'exit' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    expect((await call(stack, 'POST', '/v1/journeys/pro-buyers/versions/1/publish', {})).status).toBe(200);

    // The schedule exists and its first run (due at publish) enrols the audience.
    const schedule = stack.client.schedule.getHandle(segmentScheduleId('pro-buyers', 1));
    expect((await schedule.describe()).state.paused).toBe(false);
    await eventually(async () => expect(await entered()).toEqual(qualified), 60_000, 500);

    // A second run selects the same users: they are inside already, so nobody enters twice.
    await schedule.trigger();
    await eventually(async () => expect((await schedule.describe()).info.recentActions.length).toBe(2), 30_000, 500);
    const runs = (await schedule.describe()).info.recentActions.map((action) => action.action.workflow.workflowId);
    await eventually(
      async () => {
        for (const workflowId of runs)
          expect(await stack.client.workflow.getHandle(workflowId).result()).toEqual({ users: qualified.length });
      },
      60_000,
      500,
    );
    expect(await entered()).toEqual(qualified);

    expect((await call(stack, 'POST', '/v1/journeys/pro-buyers/versions/1/pause', {})).status).toBe(200);
    expect((await schedule.describe()).state.paused).toBe(true);
    expect((await call(stack, 'POST', '/v1/journeys/pro-buyers/versions/1/resume', {})).status).toBe(200);
    expect((await schedule.describe()).state.paused).toBe(false);
    expect((await call(stack, 'POST', '/v1/journeys/pro-buyers/versions/1/stop', {})).status).toBe(200);
    await expect(schedule.describe()).rejects.toThrow();
  });

  it('turns each schedule type into a Temporal Schedule spec', () => {
    const now = new Date('2026-06-01T10:00:00Z');
    const start = new Date('2026-06-02T09:30:00Z');
    expect(segmentScheduleSpec({ type: 'once' }, now, now)).toEqual({ spec: {}, runNow: true });
    expect(segmentScheduleSpec({ type: 'once' }, start, now)).toEqual({
      spec: { calendars: [{ year: 2026, month: 'JUNE', dayOfMonth: 2, hour: 9, minute: 30, second: 0 }] },
      runNow: false,
    });
    expect(
      segmentScheduleSpec({ type: 'dates', dates: ['2026-05-01T00:00:00Z', '2026-07-04T12:00:00Z'] }, now, now).spec.calendars,
    ).toEqual([{ year: 2026, month: 'JULY', dayOfMonth: 4, hour: 12, minute: 0, second: 0 }]);
    expect(segmentScheduleSpec({ type: 'recurring', every: 'P1D', until: '2026-12-31T00:00:00Z' }, now, now)).toEqual({
      spec: { intervals: [{ every: 86_400_000 }], startAt: now, endAt: new Date('2026-12-31T00:00:00Z') },
      runNow: true,
    });
  });
});
