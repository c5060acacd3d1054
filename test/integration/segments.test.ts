import { DateTime } from 'luxon';
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
    expect(segmentScheduleSpec({ type: 'once' }, { start: now, now })).toEqual({ spec: {}, runNow: true });
    expect(segmentScheduleSpec({ type: 'once' }, { start, now })).toEqual({
      spec: { calendars: [{ year: 2026, month: 'JUNE', dayOfMonth: 2, hour: 9, minute: 30, second: 0 }] },
      runNow: false,
    });
    expect(
      segmentScheduleSpec({ type: 'dates', dates: ['2026-05-01T00:00:00Z', '2026-07-04T12:00:00Z'] }, { start: now, now }).spec.calendars,
    ).toEqual([{ year: 2026, month: 'JULY', dayOfMonth: 4, hour: 12, minute: 0, second: 0 }]);
    // A period from the start: its phase is the start's (Temporal aligns intervals to the epoch).
    expect(segmentScheduleSpec({ type: 'recurring', every: 'P1D', until: '2026-12-31T00:00:00Z' }, { start: now, now })).toEqual({
      spec: { intervals: [{ every: 86_400_000, offset: 36_000_000 }], startAt: now, endAt: new Date('2026-12-31T00:00:00Z') },
      runNow: true,
    });
    // The version's endAt closes the schedule when it comes before `until`.
    expect(
      segmentScheduleSpec(
        { type: 'recurring', every: 'day', at: '09:30' },
        { start, now, timezone: 'Europe/Paris', endAt: new Date('2026-09-01T00:00:00Z') },
      ),
    ).toEqual({
      spec: {
        calendars: [{ hour: 9, minute: 30, second: 0 }],
        timezone: 'Europe/Paris',
        startAt: start,
        endAt: new Date('2026-09-01T00:00:00Z'),
      },
      runNow: false,
    });
  });
});

/**
 * Segment schedules read back from Temporal itself: each journey is published through the API (the engine's
 * own code path), then the schedule's next action times, as the dev server computes them, are checked.
 */
describe('segment schedule times', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Publishes a segment journey with this schedule and answers the schedule's next action times. */
  async function nextTimes(id: string, schedule: Record<string, unknown>, settings: Record<string, unknown> = {}): Promise<DateTime[]> {
    const journey = {
      id,
      name: id,
      entry: { type: 'segment', audience: { 'profile.plan': { eq: 'nobody' } }, schedule },
      settings,
      nodes: { bye: { type: 'exit' } },
    };
    expect((await call(stack, 'POST', '/v1/journeys', journey)).status).toBe(201);
    const published = await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`, {});
    expect(published.status).toBe(200);
    const { info } = await stack.client.schedule.getHandle(segmentScheduleId(id, 1)).describe();
    expect(info.nextActionTimes.length).toBeGreaterThan(0);
    return info.nextActionTimes.map((time) => DateTime.fromJSDate(time, { zone: 'UTC' }));
  }

  const hour = 3_600_000;

  it('runs every day at a local time in the schedule’s time zone', async () => {
    const now = DateTime.utc();
    const times = await nextTimes('daily-paris', { type: 'recurring', every: 'day', at: '09:30', timezone: 'Europe/Paris' });
    for (const [index, time] of times.entries()) {
      const paris = time.setZone('Europe/Paris');
      expect([paris.hour, paris.minute, paris.second]).toEqual([9, 30, 0]);
      // 08:30Z in winter (UTC+1), 07:30Z in summer.
      expect(time.hour).toBe(paris.offset === 60 ? 8 : 7);
      if (index > 0) expect(paris.startOf('day').diff(times[index - 1]!.setZone('Europe/Paris').startOf('day'), 'days').days).toBe(1);
    }
    expect(times[0]! > now && times[0]!.diff(now).toMillis() <= 24 * hour).toBe(true);
  });

  it('runs on given weekdays at a time in the journey’s time zone', async () => {
    const times = await nextTimes(
      'weekly-ny',
      { type: 'recurring', every: 'week', at: '10:00', days: ['mon', 'wed'] },
      { timezone: 'America/New_York' },
    );
    for (const time of times) {
      const local = time.setZone('America/New_York');
      expect([local.weekday === 1 || local.weekday === 3, local.hour, local.minute]).toEqual([true, 10, 0]);
    }
    // Every Monday and Wednesday in turn, none skipped.
    for (let i = 1; i < times.length; i++) expect([2, 5]).toContain(times[i]!.diff(times[i - 1]!, 'days').days);
  });

  it('runs on given days of the month, in UTC without a time zone, until the version’s end', async () => {
    const endAt = DateTime.utc().plus({ months: 4 }).startOf('day');
    const times = await nextTimes(
      'monthly-utc',
      { type: 'recurring', every: 'month', at: '06:00', daysOfMonth: [1, 15] },
      { endAt: endAt.toISO({ suppressMilliseconds: true }) },
    );
    for (const time of times) expect([time.day === 1 || time.day === 15, time.hour, time.minute]).toEqual([true, 6, 0]);
    expect(times.length).toBeLessThanOrEqual(8);
    expect(times.length).toBeGreaterThanOrEqual(7);
    expect(times.every((time) => time <= endAt)).toBe(true);
  });

  it('runs every period on the grid of `from`, not of the epoch', async () => {
    // A past `from` at 09:30Z every 7 hours: 09:30, 16:30, 23:30, 06:30 the next day...
    const from = DateTime.utc().minus({ days: 2 }).set({ hour: 9, minute: 30, second: 0, millisecond: 0 });
    const times = await nextTimes('every-7h', { type: 'recurring', every: 'PT7H', from: from.toISO({ suppressMilliseconds: true }) });
    const now = DateTime.utc();
    for (const time of times) expect(time.diff(from).toMillis() % (7 * hour)).toBe(0);
    for (let i = 1; i < times.length; i++) expect(times[i]!.diff(times[i - 1]!).toMillis()).toBe(7 * hour);
    expect(times[0]!.diff(now).toMillis()).toBeLessThanOrEqual(7 * hour);

    // A future `from`: the first run is at `from` itself.
    const later = DateTime.utc().plus({ days: 2 }).set({ hour: 9, minute: 30, second: 0, millisecond: 0 });
    const delayed = await nextTimes('daily-from', { type: 'recurring', every: 'P1D', from: later.toISO({ suppressMilliseconds: true }) });
    expect(delayed.slice(0, 3).map((time) => time.toISO())).toEqual([0, 1, 2].map((days) => later.plus({ days }).toISO()));
  });

  it('rewrites a schedule an older build made (an interval without offset) at the next lifecycle call', async () => {
    const from = DateTime.utc().minus({ days: 1 }).set({ hour: 9, minute: 30, second: 0, millisecond: 0 });
    await nextTimes('legacy-daily', { type: 'recurring', every: 'P1D', from: from.toISO({ suppressMilliseconds: true }) });
    const handle = stack.client.schedule.getHandle(segmentScheduleId('legacy-daily', 1));
    // As the old code created it: epoch-aligned (00:00 UTC).
    await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every: 86_400_000 }], startAt: from.toJSDate() } }));
    expect((await handle.describe()).info.nextActionTimes[0]!.getUTCHours()).toBe(0);

    expect((await call(stack, 'POST', '/v1/journeys/legacy-daily/versions/1/pause', {})).status).toBe(200);
    const times = (await handle.describe()).info.nextActionTimes.map((time) => DateTime.fromJSDate(time, { zone: 'UTC' }));
    for (const time of times) expect([time.hour, time.minute]).toEqual([9, 30]);
  });
});
