import { MockActivityEnvironment } from '@temporalio/testing';
import { createBatchActivities } from '../../activities/batches';
import { batchEntryWorkflowId } from '../../temporal/batch-entry';
import { isControlUser } from '../../domain/control-group';
import { enrolUser } from '../../temporal/instances';
import { createBatchStore } from '../../store/batches';
import { createEntryStore } from '../../store/entries';
import { createJourneyStore } from '../../store/journeys';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

const MAX = 10_000;
/** Chunks of 100 users in a batch of MAX. */
const CHUNKS = 100;
/** The big batch's rate, users a second. */
const BIG_RATE = 1000;
/**
 * Users of the end-to-end batch. This stack runs about 10 instances a second (every instance claims and closes
 * its entry in FerretDB, whose SQLite backend scans the collection for each query), so the 10,000-user batch
 * is checked against a journey paused while it runs, and every-instance-once on this smaller one.
 */
const E2E = 300;

/**
 * `POST /v1/journeys/{id}/enrollments:batch` and `GET /v1/batches/{id}` against the real API, workers,
 * Temporal dev server and FerretDB. Journeys start with an exit (or a long delay), so an enrolment is one
 * short instance; instances are counted in the entries collection (the enrolment record).
 */
describe('batch enrolments', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await publish('batch-e2e', { done: { type: 'exit' } });
    await publish('batch-big', { done: { type: 'exit' } });
    await publish('batch-control', { done: { type: 'exit' } }, { controlGroup: 50 });
    await publish('batch-once', { done: { type: 'exit' } });
    await publish('batch-cooldown', { done: { type: 'exit' } }, { reentry: { allowed: true, cooldown: 'P1D' } });
    await publish('batch-again', { done: { type: 'exit' } }, { reentry: { allowed: true } });
    await publish('batch-inside', { wait: { type: 'delay', duration: 'P1D', next: 'done' }, done: { type: 'exit' } });
    expect((await call(stack, 'POST', '/v1/journeys', journey('batch-draft', { done: { type: 'exit' } }))).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  function journey(id: string, nodes: Record<string, unknown>, settings: Record<string, unknown> = {}) {
    return { id, name: id, entry: { type: 'api' }, settings, nodes };
  }

  async function publish(id: string, nodes: Record<string, unknown>, settings: Record<string, unknown> = {}) {
    expect((await call(stack, 'POST', '/v1/journeys', journey(id, nodes, settings))).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${id}/versions/1/publish`, {})).status).toBe(200);
  }

  async function ndjson(path: string, text: string) {
    return call(stack, 'POST', path, text, { 'content-type': 'application/x-ndjson' });
  }

  /** Polls a batch until it is done; answers every poll. */
  async function follow(location: string) {
    const polls = [];
    for (;;) {
      const progress = (await call(stack, 'GET', location)).body;
      polls.push(progress);
      if (progress.done) return polls;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function finished(location: string) {
    return (await follow(location)).at(-1);
  }

  /** An event's time on the server's clock, in milliseconds. */
  function millis(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
    return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
  }

  async function entriesOf(journeyId: string, userId?: string) {
    return stack.db.models.entries.find({ journeyId, ...(userId ? { userId } : {}) }).lean();
  }

  it(`enrols a batch end to end: each user exactly once, with progress to follow while it runs`, async () => {
    const users = Array.from({ length: E2E }, (_, i) => ({ userId: `e2e-${i}` }));
    const began = Date.now();
    const accepted = await call(stack, 'POST', '/v1/journeys/batch-e2e/enrollments:batch?ratePerSecond=100', users);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ journeyId: 'batch-e2e', received: E2E, duplicates: 0, total: E2E, ratePerSecond: 100 });
    const location = accepted.headers.get('location')!;
    expect(location).toBe(`/v1/batches/${accepted.body.batchId}`);

    const polls = await follow(location);
    const progress = polls.at(-1)!;
    const doneMs = Date.now() - began;
    expect(polls.some((poll) => poll.started > 0 && poll.started < poll.total)).toBe(true);
    expect(progress).toMatchObject({ total: E2E, processed: E2E, started: E2E, existing: 0, notEligible: 0, failed: 0, done: true });
    expect(Date.parse(progress.finishedAt)).toBeGreaterThanOrEqual(Date.parse(progress.startedAt));

    // Every user has exactly one instance: one enrolment record each, written by the instance's own claim.
    const entries = await eventually(
      async () => {
        const found = await entriesOf('batch-e2e');
        expect(found).toHaveLength(E2E);
        return found;
      },
      100_000,
      500,
    );
    expect(new Set(entries.map((entry) => entry.userId)).size).toBe(E2E);
    const enteredMs = Date.now() - began;
    console.log(
      `batch end to end: ${E2E} users started in ${(doneMs / 1000).toFixed(1)} s (throttle 100/s), all ${E2E} instances ` +
        `entered after ${(enteredMs / 1000).toFixed(1)} s (${((E2E / enteredMs) * 1000).toFixed(1)} instances/s); ${polls.length} polls`,
    );
  }, 180_000);

  it(`takes ${MAX} users: 100 chunks, paced, continued as new, and stops entering once the journey is paused`, async () => {
    const users = Array.from({ length: MAX }, (_, i) => ({ userId: `big-${i}` }));
    const accepted = await call(stack, 'POST', `/v1/journeys/batch-big/enrollments:batch?ratePerSecond=${BIG_RATE}`, users);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ received: MAX, total: MAX });
    const location = accepted.headers.get('location')!;
    const { batchId } = accepted.body as { batchId: string };
    const recorded = async () => stack.db.models.batchChunks.countDocuments({ _id: { $regex: `^${batchId}:` }, result: { $exists: true } });

    // Paused once the first chunk has started its users. Each chunk reads the journey once, and chunks run one
    // after the other: every chunk recorded before the pause started all its users, the chunk in flight when
    // the pause lands may too, and every chunk after it is refused.
    const before = await eventually(
      async () => {
        const count = await recorded();
        expect(count).toBeGreaterThan(0);
        return count;
      },
      60_000,
      50,
    );
    expect((await call(stack, 'POST', '/v1/journeys/batch-big/versions/1/pause', {})).status).toBe(200);
    const after = await recorded();
    // The pacing leaves most chunks for after the pause (the last starts 9.9 s into its runs at the earliest).
    expect(after).toBeLessThan(CHUNKS - 1);

    const polls = await follow(location);
    const progress = polls.at(-1)!;
    expect(polls.some((poll) => poll.processed > 0 && poll.processed < poll.total)).toBe(true);
    const refused = progress.notEligibleReasons.journey_not_running;
    expect(progress).toMatchObject({ total: MAX, processed: MAX, existing: 0, failed: 0, notEligible: refused });
    expect(progress.started + refused).toBe(MAX);

    // Chunk by chunk: all started up to the pause, all refused after it.
    const chunks = await stack.db.models.batchChunks
      .find({ _id: { $regex: `^${batchId}:` } }, { users: 0 })
      .sort({ chunk: 1 })
      .lean();
    expect(chunks.map((chunk) => chunk.chunk)).toEqual(Array.from({ length: CHUNKS }, (_, i) => i));
    const started = chunks.map((chunk) => (chunk.result as { started: number }).started);
    const enteredChunks = started.filter((n) => n > 0).length;
    expect(started).toEqual(Array.from({ length: CHUNKS }, (_, i) => (i < enteredChunks ? MAX / CHUNKS : 0)));
    expect(enteredChunks).toBeGreaterThanOrEqual(before);
    expect(enteredChunks).toBeLessThanOrEqual(after + 1);
    expect(progress.started).toBe(enteredChunks * (MAX / CHUNKS));

    // 100 chunks at 50 a run: the workflow continued as new once.
    const handle = stack.client.workflow.getHandle(batchEntryWorkflowId(batchId));
    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunId).toBeTruthy();
    expect(firstRunId).not.toBe(description.runId);
    // Paced at BIG_RATE: in each run, on the server's clock, the n-th chunk (n from 0) is scheduled no earlier than
    // n x 100 users x 1 ms after the run started (a slower machine only schedules it later).
    const runs = [stack.client.workflow.getHandle(batchEntryWorkflowId(batchId), firstRunId!), handle];
    const perRun: number[] = [];
    for (const run of runs) {
      const events = (await run.fetchHistory()).events ?? [];
      const startedAt = millis(events[0]!.eventTime);
      const scheduled = events.filter((event) => event.activityTaskScheduledEventAttributes).map((event) => millis(event.eventTime));
      perRun.push(scheduled.length);
      scheduled.forEach((at, n) =>
        expect({ n, paced: at - startedAt >= (n * (MAX / CHUNKS) * 1000) / BIG_RATE }).toEqual({ n, paced: true }),
      );
    }
    expect(perRun).toEqual([50, 50]);
    await eventually(async () => expect(await entriesOf('batch-big')).toHaveLength(progress.started), 60_000, 500);
    console.log(
      `batch of ${MAX}: ${enteredChunks} chunks started before the pause (${before} recorded when it was sent); ${polls.length} polls`,
    );
  }, 180_000);

  it('enrols each user once however often the request names them, and counts control users', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `ctl-${i}`);
    const users = [...ids, ...ids.slice(0, 15)].map((userId, i) => ({ userId, context: { position: i } }));
    const accepted = await call(stack, 'POST', '/v1/journeys/batch-control/enrollments:batch', { users });
    expect(accepted.body).toMatchObject({ received: 55, duplicates: 15, total: 40, ratePerSecond: 200 });

    const progress = await finished(accepted.headers.get('location')!);
    const control = ids.filter((userId) => isControlUser('batch-control', userId, 50)).length;
    expect(control).toBeGreaterThan(0);
    expect(progress).toMatchObject({ total: 40, processed: 40, started: 40, control, existing: 0, notEligible: 0 });
    await eventually(async () => expect(await entriesOf('batch-control')).toHaveLength(40));
  });

  it('reports users who may not enter: already entered, in their cool-down, or inside', async () => {
    for (const [journeyId, userId] of [
      ['batch-once', 'old'],
      ['batch-cooldown', 'old'],
      ['batch-inside', 'inside'],
    ] as const) {
      expect((await call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, { userId })).status).toBe(202);
    }
    // Exit-first instances close their entry at once; the decision then reads the exit.
    for (const journeyId of ['batch-once', 'batch-cooldown']) {
      await eventually(async () => expect((await entriesOf(journeyId, 'old'))[0]?.exitedAt).toBeDefined());
    }

    const once = await call(stack, 'POST', '/v1/journeys/batch-once/enrollments:batch', [
      { userId: 'old' },
      { userId: 'new-1' },
      { userId: 'new-2' },
    ]);
    expect(await finished(once.headers.get('location')!)).toMatchObject({
      total: 3,
      started: 2,
      notEligible: 1,
      notEligibleReasons: { already_entered: 1 },
    });

    const cooldown = await call(stack, 'POST', '/v1/journeys/batch-cooldown/enrollments:batch', [{ userId: 'old' }, { userId: 'new-1' }]);
    expect(await finished(cooldown.headers.get('location')!)).toMatchObject({
      started: 1,
      notEligible: 1,
      notEligibleReasons: { cooldown: 1 },
    });

    const inside = await call(stack, 'POST', '/v1/journeys/batch-inside/enrollments:batch', [{ userId: 'inside' }, { userId: 'new-1' }]);
    expect(await finished(inside.headers.get('location')!)).toMatchObject({ started: 1, existing: 1, notEligible: 0 });
    expect(await entriesOf('batch-once', 'old')).toHaveLength(1);
    expect(await entriesOf('batch-inside', 'inside')).toHaveLength(1);
  });

  it('takes NDJSON, one user per line, blank lines ignored', async () => {
    const text = '{"userId":"nd-1"}\n\n{"userId":"nd-2","context":{"plan":"pro","a.b":1,"$x":2}}\r\n{"userId":"nd-1"}\n';
    const accepted = await ndjson('/v1/journeys/batch-once/enrollments:batch', text);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ received: 3, duplicates: 1, total: 2 });
    expect(await finished(accepted.headers.get('location')!)).toMatchObject({ started: 2 });
  });

  it('refuses a context over the input limit, naming its line', async () => {
    const huge = JSON.stringify({ userId: 'huge', context: { blob: 'x'.repeat(40 * 1024) } });
    const refused = await ndjson('/v1/journeys/batch-once/enrollments:batch', `{"userId":"small"}\n${huge}\n`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.problems)).toMatch(/line 2\.context/);
  });

  it('counts a user whose start Temporal refuses as failed, and enrols the others', async () => {
    // A chunk stored before the input limits existed: a context over the dev server's 2 MB payload limit.
    const batches = createBatchStore(stack.db.models);
    const activities = createBatchActivities({
      temporal: stack.client,
      journeys: createJourneyStore(stack.db.models),
      entries: createEntryStore(stack.db.models),
      batches,
    });
    const batchId = '5d7f2c1a-9e3b-4f6a-8b1c-2a3e4f5d6c70';
    const users = [{ userId: 'huge', context: { blob: 'x'.repeat(2.5 * 1024 * 1024) } }, { userId: 'small' }];
    await batches.create({ batchId, journeyId: 'batch-once', users, at: new Date() });
    const chunk = new MockActivityEnvironment({ attempt: 1, taskQueue: stack.taskQueue });
    expect(await chunk.run(activities.enrolBatchChunk, { batchId, chunk: 0 })).toEqual({ users: 2 });
    expect(await batches.progress(batchId)).toMatchObject({
      total: 2,
      started: 1,
      failed: 1,
      failures: [{ userId: 'huge', error: expect.stringMatching(/size exceeds limit/) }],
    });
  });

  it('counts a retried chunk once, and does not enrol again a user its first attempt started', async () => {
    const journeys = createJourneyStore(stack.db.models);
    const entries = createEntryStore(stack.db.models);
    const batches = createBatchStore(stack.db.models);
    const activities = createBatchActivities({ temporal: stack.client, journeys, entries, batches });
    const batchId = '0b6f5d1e-8c1a-4d3e-9f2a-7e5b4c3d2a10';
    await batches.create({ batchId, journeyId: 'batch-again', users: [{ userId: 'r-1' }, { userId: 'r-2' }], at: new Date() });

    // The first attempt started r-1 (with the batch in its memo), whose instance has exited since, then failed.
    const first = await enrolUser(
      { temporal: stack.client, journeys, entries },
      { journeyId: 'batch-again', userId: 'r-1', taskQueue: stack.taskQueue, memo: { batchId } },
    );
    expect(first.status).toBe('started');
    await eventually(async () => expect((await entriesOf('batch-again', 'r-1'))[0]?.exitedAt).toBeDefined());

    // Re-entry is allowed, so only the memo keeps the retry from admitting r-1 a second time.
    const retry = new MockActivityEnvironment({ attempt: 2, taskQueue: stack.taskQueue });
    expect(await retry.run(activities.enrolBatchChunk, { batchId, chunk: 0 })).toEqual({ users: 2 });
    const again = new MockActivityEnvironment({ attempt: 3, taskQueue: stack.taskQueue });
    expect(await again.run(activities.enrolBatchChunk, { batchId, chunk: 0 })).toEqual({ users: 2 });

    expect(await batches.progress(batchId)).toMatchObject({ total: 2, processed: 2, started: 2, notEligible: 0, done: true });
    await eventually(async () => expect(await entriesOf('batch-again', 'r-2')).toHaveLength(1));
    expect(await entriesOf('batch-again', 'r-1')).toHaveLength(1);
  });

  describe('refuses bad requests with a problem naming what is wrong', () => {
    const path = '/v1/journeys/batch-once/enrollments:batch';
    const expectProblem = (response: { status: number; headers: Headers; body: any }, status: number, code: string) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status, code, detail: expect.any(String) });
    };

    it('names each bad entry of a JSON array or object', async () => {
      const array = await call(stack, 'POST', path, [{ userId: 'ok' }, { userId: 'has space' }, { user: 'x' }, 7]);
      expectProblem(array, 400, 'invalid_input');
      expect(array.body.problems.map((p: { path: string }) => p.path)).toEqual(['body[1].userId', 'body[2].userId', 'body[2]', 'body[3]']);

      const wrapped = await call(stack, 'POST', path, { users: [{ userId: 'ok' }, { userId: 'a:b' }] });
      expectProblem(wrapped, 400, 'invalid_input');
      expect(wrapped.body.problems).toEqual([{ path: 'body.users[1].userId', message: expect.stringMatching(/":"/) }]);

      expectProblem(await call(stack, 'POST', path, { users: [{ userId: 'ok' }], extra: true }), 400, 'invalid_input');
      expectProblem(await call(stack, 'POST', path, []), 400, 'invalid_input');
      expectProblem(await call(stack, 'POST', path, '{"users": ['), 400, 'malformed_json');
    });

    it('names each bad NDJSON line by its number', async () => {
      const response = await ndjson(path, '{"userId":"ok"}\n{"userId": \n\n{"userId":"a b"}\n{"userId":"x","extra":1}\n');
      expectProblem(response, 400, 'invalid_input');
      expect(response.body.problems.map((p: { path: string }) => p.path)).toEqual(['line 2', 'line 4.userId', 'line 5']);
      expect(response.body.problems[0].message).toMatch(/not valid JSON/);
    });

    it(`refuses more than ${MAX} users, oversized bodies and other content types`, async () => {
      const tooMany = await call(
        stack,
        'POST',
        path,
        Array.from({ length: MAX + 1 }, (_, i) => ({ userId: `u${i}` })),
      );
      expectProblem(tooMany, 400, 'invalid_input');
      expect(tooMany.body.detail).toMatch(/at most 10000 users per batch, got 10001/);
      const manyLines = Array.from({ length: MAX + 1 }, (_, i) => `{"userId":"u${i}"}`).join('\n');
      expectProblem(await ndjson(path, manyLines), 400, 'invalid_input');

      expectProblem(await ndjson(path, `{"userId":"u","context":{"x":"${'x'.repeat(5 * 1024 * 1024)}"}}`), 413, 'body_too_large');
      expectProblem(
        await call(stack, 'POST', path, 'userId=u1', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'unsupported_media_type',
      );
      expectProblem(await call(stack, 'POST', `${path}?ratePerSecond=0`, [{ userId: 'u' }]), 400, 'invalid_input');
    });

    it('answers 404 for unknown journeys and batches, 409 for a journey that is not running', async () => {
      expectProblem(await call(stack, 'POST', '/v1/journeys/nope/enrollments:batch', [{ userId: 'u' }]), 404, 'not_found');
      expectProblem(await call(stack, 'POST', '/v1/journeys/batch-draft/enrollments:batch', [{ userId: 'u' }]), 409, 'journey_not_running');
      expectProblem(await call(stack, 'GET', '/v1/batches/6f1c1a52-3b9e-4a57-9d55-0d8a4c1e2f30'), 404, 'not_found');
      expectProblem(await call(stack, 'GET', '/v1/batches/not%20a%20batch'), 400, 'invalid_input');
      // The colon is literal: no other suffix reaches the route.
      expectProblem(await call(stack, 'POST', '/v1/journeys/batch-once/enrollmentsXbatch', [{ userId: 'u' }]), 404, 'route_not_found');
    });

    it('needs the ingest scope to post, and the read or ingest scope to follow', async () => {
      const reader = (await call(stack, 'POST', '/v1/api-keys', { name: 'batch-reader', scopes: ['read'] })).body.key as string;
      const headers = { authorization: `Bearer ${reader}` };
      expectProblem(await call(stack, 'POST', path, [{ userId: 'u' }], headers), 403, 'forbidden');
      // The scope is checked before an NDJSON body is read.
      expectProblem(
        await call(stack, 'POST', path, '{"userId": ', { ...headers, 'content-type': 'application/x-ndjson' }),
        403,
        'forbidden',
      );
      const accepted = await call(stack, 'POST', path, [{ userId: 'scoped' }]);
      expect((await call(stack, 'GET', accepted.headers.get('location')!, undefined, headers)).status).toBe(200);
      // The ingest key that posts a batch follows the Location it is handed; a key with neither scope may not.
      const ingester = (await call(stack, 'POST', '/v1/api-keys', { name: 'batch-ingester', scopes: ['ingest'] })).body.key as string;
      const posted = await call(stack, 'POST', path, [{ userId: 'scoped-2' }], { authorization: `Bearer ${ingester}` });
      expect(posted.status).toBe(202);
      expect((await call(stack, 'GET', posted.headers.get('location')!, undefined, { authorization: `Bearer ${ingester}` })).status).toBe(
        200,
      );
    });
  });

  it('is in the OpenAPI document with its literal colon', async () => {
    const document = (await call(stack, 'GET', '/openapi.json')).body;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/journeys/{id}/enrollments:batch', '/v1/batches/{batchId}']));
    expect(document.paths['/v1/journeys/{id}/enrollments:batch'].post.parameters.map((p: { name: string }) => p.name)).toEqual([
      'id',
      'ratePerSecond',
    ]);
  });
});
