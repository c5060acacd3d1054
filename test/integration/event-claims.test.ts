import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createEventIngestion } from '../../api/events/ingest';
import { createEventRouter } from '../../api/events/router';
import { UnavailableError } from '../../domain/errors';
import { createProfileStore } from '../../store/profiles';
import { createEntryStore } from '../../store/entries';
import { ABANDONED_AFTER_MS, createEventStore } from '../../store/events';
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
  const failures: Record<'claim' | 'release' | 'markProcessed' | 'route', Error[]> = {
    claim: [],
    release: [],
    markProcessed: [],
    route: [],
  };
  /** Failures thrown after the next claims reached the store (the answer was lost, not the write). */
  const lostAnswers: Error[] = [];
  let ingestion: ReturnType<typeof createEventIngestion>;

  beforeAll(async () => {
    [env, db] = await Promise.all([createDevServerEnv(), openTestDatabase()]);
    const events = createEventStore(db.models, clock);
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
        claim: failing('claim', async (event: Parameters<typeof events.claim>[0]) => {
          const claim = await events.claim(event);
          const lost = lostAnswers.shift();
          if (lost) throw lost;
          return claim;
        }),
        release: failing('release', events.release),
        markProcessed: failing('markProcessed', events.markProcessed),
      },
      profiles: createProfileStore(db.connection),
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

  const stored = (eventId: string) => db.models.events.findOne({ eventId }).lean();

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

  it('asks for a retry after the claim is abandoned when it cannot be given back', async () => {
    failures.route.push(unreachable());
    failures.release.push(unreachable());
    const refused = await ingestion.ingest({ eventId: 'e3', userId: 'ada', name: 'clicked' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    const retryAfterMs = (refused as UnavailableError).retryAfterSeconds * 1000;
    expect(retryAfterMs).toBeGreaterThan(ABANDONED_AFTER_MS);
    // A retry before that would be a duplicate; one after it, as asked, is processed.
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
});
