import { instanceWorkflowId } from '../../domain/ids';
import { eventually } from '../helpers/eventually';
import { call, startTestStack, type TestStack } from '../helpers/stack';

/**
 * Enrolment under load and repeats, on the dev server and FerretDB: the Idempotency-Key makes every repeat get
 * the first answer; the deterministic instance id alone already keeps one instance; a profile sent with the
 * enrolment is stored before the instance reads it.
 */
describe('enrolment idempotency and profile', () => {
  let stack: TestStack;
  const enrol = (journeyId: string, body: unknown, key?: string) =>
    call(stack, 'POST', `/v1/journeys/${journeyId}/enrollments`, body, key === undefined ? {} : { 'idempotency-key': key });
  const records = () => stack.db.models.idempotencyRecords;

  /** Holds its users for a day, so every repeat meets a live instance. */
  const hold = {
    id: 'hold',
    name: 'Hold',
    entry: { type: 'api' },
    nodes: { wait: { type: 'delay', duration: 'P1D', next: 'done' }, done: { type: 'exit' } },
  };
  const plans = {
    id: 'plans',
    name: 'Plans',
    entry: { type: 'api' },
    nodes: {
      pick: { type: 'split', paths: [{ name: 'pro', when: { 'profile.plan': { eq: 'pro' } }, next: 'pro-exit' }], others: 'free-exit' },
      'pro-exit': { type: 'exit' },
      'free-exit': { type: 'exit' },
    },
  };

  async function deploy(definition: { id: string }): Promise<void> {
    expect((await call(stack, 'POST', '/v1/journeys', definition)).status).toBe(201);
    expect((await call(stack, 'POST', `/v1/journeys/${definition.id}/versions/1/publish`, {})).status).toBe(200);
  }

  /** Every run Temporal has under the instance id of the user (visibility is eventually consistent). */
  async function runsOf(journeyId: string, userId: string): Promise<string[]> {
    const runs: string[] = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId = "${instanceWorkflowId(journeyId, userId)}"` })) {
      runs.push(execution.runId);
    }
    return runs;
  }

  /** One run in Temporal, and one entry (which the instance claims once it runs). */
  async function expectOneInstance(journeyId: string, userId: string, runId: string): Promise<void> {
    await eventually(async () => {
      expect(await runsOf(journeyId, userId)).toEqual([runId]);
      expect(await stack.db.models.entries.find({ journeyId, userId }, { runId: 1, _id: 0 }).lean()).toEqual([{ runId }]);
    });
  }

  beforeAll(async () => {
    stack = await startTestStack();
    await deploy(hold);
    await deploy(plans);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 200 parallel requests with one Idempotency-Key identically, from one instance', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => enrol('hold', { userId: 'keyed', context: { source: 'ads' } }, 'key-200')),
    );
    const first = responses[0]!;
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ instanceId: instanceWorkflowId('hold', 'keyed'), journeyId: 'hold', version: 1, control: false });
    for (const response of responses) expect([response.status, response.body]).toEqual([202, first.body]);
    await expectOneInstance('hold', 'keyed', first.body.runId);
    expect(await records().find({ key: 'key-200' }).lean()).toEqual([expect.objectContaining({ state: 'done' })]);
  });

  it('keeps one instance for 200 parallel identical requests without a key (the deterministic instance id)', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, () => enrol('hold', { userId: 'unkeyed' })));
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([202]));
    const instances = new Set(responses.map((response) => `${response.body.instanceId} ${response.body.runId}`));
    expect(instances.size).toBe(1);
    await expectOneInstance('hold', 'unkeyed', responses[0]!.body.runId);
  });

  it('refuses a different request under a used key with 422 idempotency_key_reused', async () => {
    expect((await enrol('hold', { userId: 'reuse' }, 'key-reuse')).status).toBe(202);
    // The same request with its keys in another order is the same request.
    const reordered = await enrol('hold', { context: { b: 2, a: 1 }, userId: 'reuse-2' }, 'key-order');
    expect((await enrol('hold', { userId: 'reuse-2', context: { a: 1, b: 2 } }, 'key-order')).body).toEqual(reordered.body);

    for (const [journeyId, body] of [
      ['hold', { userId: 'someone-else' }],
      ['hold', { userId: 'reuse', context: { x: 1 } }],
      ['plans', { userId: 'reuse' }],
    ] as const) {
      const response = await enrol(journeyId, body, 'key-reuse');
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    }
    expect(await stack.db.models.entries.countDocuments({ userId: 'someone-else' })).toBe(0);
  });

  it('answers a refusal again to repeats of the request, while a new key runs it anew', async () => {
    const draft = { ...hold, id: 'later' };
    expect((await call(stack, 'POST', '/v1/journeys', draft)).status).toBe(201);
    const refused = await enrol('later', { userId: 'early' }, 'key-early');
    expect(refused).toMatchObject({ status: 409, body: { code: 'journey_not_running' } });

    expect((await call(stack, 'POST', '/v1/journeys/later/versions/1/publish', {})).status).toBe(200);
    const repeated = await enrol('later', { userId: 'early' }, 'key-early');
    expect([repeated.status, repeated.body]).toEqual([409, refused.body]);
    expect(repeated.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await enrol('later', { userId: 'early' }, 'key-early-2')).status).toBe(202);
  });

  it('lets a key be used again once its record expired (24 h)', async () => {
    expect((await enrol('hold', { userId: 'expiring' }, 'key-expiring')).status).toBe(202);
    await records().updateOne({ key: 'key-expiring' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const other = await enrol('hold', { userId: 'expiring-2' }, 'key-expiring');
    expect(other).toMatchObject({ status: 202, body: { instanceId: instanceWorkflowId('hold', 'expiring-2') } });
  });

  it('takes over a key whose first request was abandoned, and answers 409 while one is in progress', async () => {
    const body = { userId: 'waiting' };
    expect((await enrol('hold', body, 'key-done')).status).toBe(202);
    const { fingerprint } = (await records().findOne({ key: 'key-done' }).lean())!;
    const pending = (key: string, createdAt: Date) =>
      records().create({
        key,
        fingerprint,
        claim: `claim-${key}`,
        state: 'pending',
        createdAt,
        expiresAt: new Date(Date.now() + 86_400_000),
      });

    // A claim pending for two minutes belongs to a request that died: the next repeat runs the request.
    await pending('key-abandoned', new Date(Date.now() - 120_000));
    expect(await enrol('hold', body, 'key-abandoned')).toMatchObject({
      status: 202,
      body: { instanceId: instanceWorkflowId('hold', 'waiting') },
    });

    await pending('key-running', new Date());
    const started = Date.now();
    const busy = await enrol('hold', body, 'key-running');
    expect(busy).toMatchObject({ status: 409, body: { code: 'idempotency_key_in_progress' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
  }, 30_000);

  it('refuses a malformed Idempotency-Key', async () => {
    for (const key of ['', 'x'.repeat(256), 'with space', 'naïve']) {
      const response = await enrol('hold', { userId: 'malformed' }, key);
      expect(response).toMatchObject({ status: 400, body: { code: 'invalid_input', problems: [{ path: 'headers.idempotency-key' }] } });
    }
  });

  it('stores the profile of the body before the instance reads it', async () => {
    await call(stack, 'PUT', '/v1/users/upgraded', { attributes: { plan: 'free', seats: 3 } });
    const upgraded = await enrol('plans', { userId: 'upgraded', profile: { attributes: { plan: 'pro' }, email: 'up@example.com' } });
    expect(upgraded.status).toBe(202);
    const result = await stack.client.workflow.getHandle(upgraded.body.instanceId).result();
    expect(result).toEqual({ reason: 'exited', nodeId: 'pro-exit', path: ['pick', 'pro-exit'] });
    const profile = await call(stack, 'GET', '/v1/users/upgraded');
    expect(profile.body).toMatchObject({ attributes: { plan: 'pro', seats: 3 }, email: 'up@example.com' });

    const basic = await enrol('plans', { userId: 'basic', profile: { attributes: { plan: 'basic' } } }, 'key-basic');
    expect(await stack.client.workflow.getHandle(basic.body.instanceId).result()).toMatchObject({ nodeId: 'free-exit' });
  });

  it('refuses an invalid profile in the body without enrolling', async () => {
    const response = await enrol('plans', { userId: 'invalid', profile: { phone: '12345', attributes: { 'a.b': 1 } } });
    expect(response.status).toBe(400);
    expect(response.body.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['body.profile.phone', 'body.profile.attributes.a.b']),
    );
    expect(await stack.db.models.entries.countDocuments({ userId: 'invalid' })).toBe(0);
    expect((await call(stack, 'GET', '/v1/users/invalid')).status).toBe(404);
  });
});
