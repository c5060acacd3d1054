import { createEventRouter } from '../../api/events/router';
import { journeyDefinitionSchema } from '../../domain/definition/schema';
import { createJourneyStore, type JourneyStore } from '../../store/journeys';
import { createProfileGoalRouter } from '../../temporal/profile-goals';
import { openTestDatabase } from '../helpers/servers';

/**
 * The event and profile-goal routes are tables built from the journey store. A journey published through this
 * process's store is routed at once: an instance enrolled right after the publish and already waiting must get
 * the next event, not lose it to a table built a moment before. Another process's publish is seen within the
 * table's time to live. Real store on FerretDB; the tables' time to live is an hour here, so only the
 * rebuild on change can explain a route that appears.
 */
describe('routing tables after a publish', () => {
  const HOUR = 3_600_000;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let store: JourneyStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    store = createJourneyStore(db.models);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A journey whose instances wait for `go` and have a profile goal on `plan`. */
  async function publishWaiting(id: string, journeys: JourneyStore, options: { entry?: object; startAt?: Date } = {}): Promise<void> {
    const definition = journeyDefinitionSchema.parse({
      id,
      name: id,
      entry: options.entry ?? { type: 'api' },
      settings: {
        goals: [{ id: 'pro', profile: { 'profile.plan': { eq: 'pro' } } }],
        ...(options.startAt && { startAt: options.startAt.toISOString() }),
      },
      nodes: {
        wait: { type: 'waitForEvent', event: 'go', within: 'PT1H', next: { yes: 'done', timeout: 'done' } },
        done: { type: 'exit' },
      },
      content: {},
    });
    await journeys.createJourney(definition, 'tester');
    await journeys.publish(id, 1, {}, 'tester');
  }

  it('routes by a publish made through this process at once, whatever the time to live', async () => {
    const events = createEventRouter(store, { ttlMs: HOUR });
    const goals = createProfileGoalRouter(store, { ttlMs: HOUR });
    expect((await events.route('go')).listeners).toEqual([]);
    expect(await goals.routes()).toEqual([]);

    await publishWaiting('fresh', store);

    expect((await events.route('go')).listeners).toEqual(['fresh']);
    expect(await goals.routes()).toEqual([{ journeyId: 'fresh', paths: ['plan'] }]);
  });

  it('sees a publish made in another process once the time to live has passed', async () => {
    let now = 0;
    const events = createEventRouter(store, { ttlMs: HOUR, clock: () => now });
    expect((await events.route('go')).listeners).toEqual(['fresh']);

    // Another API replica: its own store object on the same database.
    await publishWaiting('elsewhere', createJourneyStore(db.models));
    expect((await events.route('go')).listeners).toEqual(['fresh']);
    now += HOUR;
    expect([...(await events.route('go')).listeners].sort()).toEqual(['elsewhere', 'fresh']);
  });

  it('routes a scheduled version from its start time without waiting for a rebuild', async () => {
    const start = Date.now() + 10 * 60_000;
    let now = Date.now();
    const journeys = createJourneyStore(db.models, undefined, () => new Date(now));
    await publishWaiting('later', journeys, { entry: { type: 'event', event: 'signup' }, startAt: new Date(start) });
    const events = createEventRouter(journeys, { ttlMs: HOUR, clock: () => now });
    // Before its start: no entry yet, but its waits are already listened for (its first instances may start
    // at the start time, before the next rebuild).
    expect((await events.route('signup')).entries).toEqual([]);
    expect((await events.route('go')).listeners).toContain('later');
    now = start + 1;
    expect((await events.route('signup')).entries).toEqual([expect.objectContaining({ journeyId: 'later', version: 1 })]);
  });
});
