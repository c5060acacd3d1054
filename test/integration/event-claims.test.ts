import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createEventIngestion } from '../../api/events/ingest';
import { createEventRouter } from '../../api/events/router';
import { createSettingsStore } from '../../store/settings';
import { UnavailableError } from '../../domain/errors';
import { createProfileStore } from '../../store/profiles';
import { createEntryStore } from '../../store/entries';
import { CLAIM_LEASE_MS, createEventStore } from '../../store/events';
import { createJourneyStore } from '../../store/journeys';
import { createDevServerEnv, openTestDatabase } from '../helpers/servers';

/** FerretDB's answer to a write that met a locked SQLite database. */
const busy = () => Object.assign(new Error('database is locked (5) (SQLITE_BUSY)'), { name: 'MongoServerError', code: 1 });
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });

/**
 * Event claims under store failures, on the real event store with failures injected around it (SQLite busy
 * cannot be produced on demand): a busy store is retried, and no failure leaves an event claimed but not
 * routed for the sender's retry.
 */
describe('event claims under store failures', () => {
  let env: TestWorkflowEnvironment;
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let now = Date.now();
  const clock = () => new Date(now);
  /** Failures the next calls of each store method throw, in order. */
  const failures: Record<'claim' | 'renew' | 'release' | 'markProcessed' | 'route', Error[]> = {
    claim: [],
    renew: [],
    release: [],
    markProcessed: [],
    route: [],
  };
  /** Failures thrown after the next claims reached the store (the answer was lost, not the write). */
  const lostAnswers: Error[] = [];
  let ingestion: ReturnType<typeof createEventIngestion>;
  let events: ReturnType<typeof createEventStore>;

  beforeAll(async () => {
    [env, db] = await Promise.all([createDevServerEnv(), openTestDatabase()]);
    events = createEventStore(db.models, clock);
    const failing =
      <A extends unknown[], R>(name: keyof typeof failures, operation: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const failure = failures[name].shift();
        if (failure) throw failure;
        return operation(...args);
      };
    const journeys = createJourneyStore(db.models);
    const router = createEventRouter(journeys, { ttlMs: 0 });
    ingestion = createEventIngestion({
      events: {
        claim: failing('claim', async (event: Parameters<typeof events.claim>[0], holder?: string) => {
          const claim = await events.claim(event, holder);
          const lost = lostAnswers.shift();
          if (lost) throw lost;
          return claim;
        }),
        renew: failing('renew', events.renew),
        release: failing('release', events.release),
        markProcessed: failing('markProcessed', events.markProcessed),
      },
      profiles: createProfileStore(db.connection),
      settings: createSettingsStore(db.models),
      router: { ...router, route: failing('route', router.route) },
      temporal: env.client,
      enrolment: { journeys, entries: createEntryStore(db.models) },
      taskQueue: 'event-claims',
      maxAgeMs: 3_600_000,
      clock,
    });
    await createProfileStore(db.connection).put({ userId: 'ada', attributes: {} });
  });
  afterAll(async () => {
    await db?.close();
    await env?.teardown();
  });

  const stored = (eventId: string) => db.models.events.findById(eventId).lean();

  it('retries a busy store when claiming and completing an event', async () => {
    failures.claim.push(busy(), busy());
    failures.markProcessed.push(busy());
    expect(await ingestion.ingest({ eventId: 'e1', userId: 'ada', name: 'clicked' })).toMatchObject({ status: 'accepted' });
    expect(await stored('e1')).toMatchObject({ processedAt: expect.any(Date) });
  });

  it('gives the claim back when routing fails, retrying a busy release, so the retry is processed', async () => {
    failures.route.push(unreachable());
    failures.release.push(busy(), busy());
    await expect(ingestion.ingest({ eventId: 'e2', userId: 'ada', name: 'clicked' })).rejects.toThrow('ECONNREFUSED');
    expect(await stored('e2')).toBeNull();
    expect(await ingestion.ingest({ eventId: 'e2', userId: 'ada', name: 'clicked' })).toMatchObject({ status: 'accepted' });
  });

  it('asks for a retry after the claim lease when the claim cannot be given back', async () => {
    failures.route.push(unreachable());
    failures.release.push(unreachable());
    const refused = await ingestion.ingest({ eventId: 'e3', userId: 'ada', name: 'clicked' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    const retryAfterMs = (refused as UnavailableError).retryAfterSeconds * 1000;
    expect(retryAfterMs).toBeGreaterThan(CLAIM_LEASE_MS);
    // A retry before that would wait for the lease; one after it, as asked, takes the claim over and is processed.
    now += retryAfterMs;
    expect(await ingestion.ingest({ eventId: 'e3', userId: 'ada', name: 'clicked' })).toMatchObject({ status: 'accepted' });
    expect(await stored('e3')).toMatchObject({ processedAt: expect.any(Date) });
  });

  it('gives back a claim whose insert may have landed before the connection dropped', async () => {
    lostAnswers.push(Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' }));
    await expect(ingestion.ingest({ eventId: 'e4', userId: 'ada', name: 'clicked' })).rejects.toThrow('connection reset');
    expect(await stored('e4')).toBeNull();
    expect(await ingestion.ingest({ eventId: 'e4', userId: 'ada', name: 'clicked' })).toMatchObject({ status: 'accepted' });
  });

  it('holds a claim for its lease, lets one delivery take an expired one over, and answers duplicate once done', async () => {
    const event = { eventId: 'e5', userId: 'ada', name: 'clicked', properties: {}, timestamp: clock() };
    expect(await events.claim(event, 'first')).toEqual({ status: 'claimed' });
    // Within the lease: another delivery is told to come back when it ends.
    expect(await events.claim(event, 'second')).toEqual({ status: 'pending', leaseUntil: new Date(now + CLAIM_LEASE_MS) });
    // Renewed by its holder only.
    expect(await events.renew('e5', 'second')).toBe(false);
    now += CLAIM_LEASE_MS / 2;
    expect(await events.renew('e5', 'first')).toBe(true);
    now += CLAIM_LEASE_MS / 2 + 1;
    expect(await events.claim(event, 'second')).toMatchObject({ status: 'pending' });
    // The holder stopped renewing (it died): of several deliveries after the lease, exactly one takes it over.
    now += CLAIM_LEASE_MS;
    const holders = ['a', 'b', 'c', 'd', 'e', 'f'];
    const racing = await Promise.all(holders.map((holder) => events.claim(event, holder)));
    expect(racing.filter((result) => result.status === 'claimed')).toHaveLength(1);
    expect(racing.filter((result) => result.status === 'pending')).toHaveLength(5);
    const winner = holders[racing.findIndex((result) => result.status === 'claimed')]!;
    // The old holder can neither renew nor give back the claim it lost; the winner holds it.
    expect(await events.renew('e5', 'first')).toBe(false);
    await events.release('e5', 'first');
    expect(await stored('e5')).toMatchObject({ holder: winner });
    expect(await events.renew('e5', winner)).toBe(true);
    await events.markProcessed('e5');
    now += CLAIM_LEASE_MS * 10;
    expect(await events.claim(event, 'late')).toEqual({ status: 'duplicate' });
  });
});
