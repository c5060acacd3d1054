import { ScheduleNotFoundError } from '@temporalio/client';
import { segmentScheduleId } from '../../temporal/segment-schedules';
import { ensureVersionSweepSchedule, sweepVersions, versionSweepScheduleId } from '../../temporal/version-sweep';
import { createJourneyStore } from '../../store/journeys';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Versions that finish by themselves (issue 16.2), on the real dev server and FerretDB: the version sweep runs
 * on its own Temporal Schedule (every 2 s here) as the worker installs it. A version past its end time is
 * completed and loses its segment schedule; a one-time (`once`, `dates`) segment version is completed once its
 * last run is over; a completed version stops once no instance is left.
 */
describe('versions that finish by themselves', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    for (const userId of ['ann', 'vip-1', 'vip-2'])
      await stack.profiles.put({ userId, attributes: { plan: userId.startsWith('vip') ? 'vip' : 'free' } });
    await ensureVersionSweepSchedule(stack.client, stack.taskQueue, { every: 'PT2S' });
  });
  afterAll(async () => {
    await stack?.client.schedule
      .getHandle(versionSweepScheduleId(stack.taskQueue))
      .delete()
      .catch(() => undefined);
    await stack?.close();
  });

  /** Users wait for `go` (at most an hour), then exit. */
  const nodes = {
    wait: { type: 'waitForEvent', event: 'go', within: 'PT1H', next: { yes: 'done', timeout: 'done' } },
    done: { type: 'exit' },
  };

  async function publish(id: string, entry: Record<string, unknown>, settings: Record<string, unknown> = {}) {
    expect((await call(stack, 'POST', '/v1/journeys', { id, name: id, entry, settings, nodes })).status).toBe(201);
    const published = await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`, {});
    expect(published.status).toBe(200);
  }

  async function stateOf(journeyId: string): Promise<string> {
    return (await call(stack, 'GET', `/v1/journeys/${journeyId}`)).body.versions[0].state;
  }

  async function scheduleExists(journeyId: string): Promise<boolean> {
    try {
      await stack.client.schedule.getHandle(segmentScheduleId(journeyId, 1)).describe();
      return true;
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return false;
      throw error;
    }
  }

  async function runningInstances(journeyId: string): Promise<number> {
    return (await stack.client.workflow.count(`JourneyId = "${journeyId}" AND ExecutionStatus = "Running"`)).count;
  }

  const seconds = (n: number) => new Date(Date.now() + n * 1000).toISOString();

  async function go(userId: string) {
    expect((await call(stack, 'POST', '/v1/events', { userId, name: 'go' })).status).toBe(202);
  }

  it('completes a version at its end time, removes its segment schedule and stops it (no instance left)', async () => {
    await publish(
      'daily-until-soon',
      { type: 'segment', audience: { 'profile.plan': { eq: 'vip' } }, schedule: { type: 'recurring', every: 'day', at: '03:00' } },
      { endAt: seconds(4) },
    );
    expect(await scheduleExists('daily-until-soon')).toBe(true);
    await eventually(async () => expect(await scheduleExists('daily-until-soon')).toBe(false), 60_000, 500);
    await eventually(async () => expect(await stateOf('daily-until-soon')).toBe('stopped'), 60_000, 500);
  }, 180_000);

  it('keeps a version completed by its end time while an instance is inside, then stops it', async () => {
    await publish('api-until-soon', { type: 'api' }, { endAt: seconds(4) });
    expect((await call(stack, 'POST', '/v1/journeys/api-until-soon/enrollments', { userId: 'ann' })).status).toBe(202);
    await eventually(async () => expect(await runningInstances('api-until-soon')).toBe(1), 30_000, 300);
    await eventually(async () => expect(await stateOf('api-until-soon')).toBe('completed'), 30_000, 300);
    // Several sweeps later, the instance still inside keeps it completed.
    const sweeps = async () =>
      (await stack.client.schedule.getHandle(versionSweepScheduleId(stack.taskQueue)).describe()).info.numActionsTaken;
    const before = await sweeps();
    await eventually(async () => expect(await sweeps()).toBeGreaterThanOrEqual(before + 3), 60_000, 500);
    expect(await stateOf('api-until-soon')).toBe('completed');

    await go('ann');
    await eventually(async () => expect(await stateOf('api-until-soon')).toBe('stopped'), 90_000, 500);
  }, 180_000);

  it('completes a once segment version after its run, removes its schedule, and stops it when its users have left', async () => {
    await publish('vip-once', { type: 'segment', audience: { 'profile.plan': { eq: 'vip' } }, schedule: { type: 'once' } });
    // The run enrols both VIPs; the version then admits nobody again: completed, schedule removed.
    await eventually(async () => expect(await stateOf('vip-once')).toBe('completed'), 60_000, 500);
    expect(await scheduleExists('vip-once')).toBe(false);
    const entries = await stack.db.models.entries.find({ journeyId: 'vip-once' }).lean();
    expect(entries.map((entry) => entry.userId).sort()).toEqual(['vip-1', 'vip-2']);
    await eventually(async () => expect(await runningInstances('vip-once')).toBe(2), 30_000, 300);
    expect(await stateOf('vip-once')).toBe('completed');

    await go('vip-1');
    await go('vip-2');
    await eventually(async () => expect(await stateOf('vip-once')).toBe('stopped'), 90_000, 500);
  }, 180_000);

  it('completes a dates segment version after its last date only', async () => {
    const journeys = createJourneyStore(stack.db.models);
    await publish('two-dates', {
      type: 'segment',
      audience: { 'profile.plan': { eq: 'nobody' } },
      schedule: { type: 'dates', dates: [seconds(3), seconds(40)] },
    });
    const schedule = stack.client.schedule.getHandle(segmentScheduleId('two-dates', 1));
    await eventually(async () => expect((await schedule.describe()).info.numActionsTaken).toBe(1), 30_000, 300);
    // After the first date the second is still to come: a sweep leaves the version running.
    const pass = await sweepVersions({ temporal: stack.client, journeys }, stack.taskQueue);
    expect(pass.closed).not.toContain('two-dates@1');
    expect(await stateOf('two-dates')).toBe('running');
    expect((await schedule.describe()).info.nextActionTimes).toHaveLength(1);

    await eventually(async () => expect(await stateOf('two-dates')).not.toBe('running'), 90_000, 500);
    expect((await call(stack, 'GET', '/v1/journeys/two-dates')).body.versions[0].state).toMatch(/^(completed|stopped)$/);
    expect(await scheduleExists('two-dates')).toBe(false);
    await eventually(async () => expect(await stateOf('two-dates')).toBe('stopped'), 60_000, 500);
  }, 180_000);
});
